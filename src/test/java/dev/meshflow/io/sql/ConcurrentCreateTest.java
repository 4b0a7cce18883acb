package dev.meshflow.io.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.services.Postgres;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Micro-batches that start together on a fresh PostgreSQL database all create the ledger. PostgreSQL
 * lets concurrent {@code CREATE TABLE IF NOT EXISTS} collide in its catalog, with one of three
 * errors depending on where they meet; the losers must carry on, as the table exists.
 */
public class ConcurrentCreateTest {
  private static final int WORKERS = 6;
  private static final int DATABASES = 15;

  @Test
  public void workersCreatingTheLedgerAtOnceAllSucceed() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    try {
      for (int d = 0; d < DATABASES; d++) {
        String db = Postgres.newDatabase("race");
        CyclicBarrier start = new CyclicBarrier(WORKERS);
        List<Future<?>> workers = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          connections.add(Postgres.connect(db)); // connected before the barrier, so they start together
        }
        for (Connection c : connections) {
          workers.add(pool.submit(() -> {
            start.await(30, TimeUnit.SECONDS);
            LedgerAccess.create(c);
            return null;
          }));
        }
        for (Future<?> f : workers) {
          f.get(60, TimeUnit.SECONDS); // rethrows a worker's SQLException
        }
        for (Connection c : connections) {
          c.close();
        }
        try (Connection c = Postgres.connect(db)) {
          assertEquals(0, LedgerAccess.checksums(c, List.of("x")).size(), "the ledger exists and is empty");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
