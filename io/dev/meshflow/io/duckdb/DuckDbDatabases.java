package dev.meshflow.io.duckdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.duckdb.DuckDBConnection;

/**
 * One DuckDB instance per database file per JVM. A DuckDB file admits a single writing process, and
 * separate instances in one process would fight over its lock, so every writer thread (Direct,
 * Flink and Spark all run their local workers as threads) duplicates the shared root connection.
 */
public final class DuckDbDatabases {
  private static final Map<Path, DuckDBConnection> ROOTS = new ConcurrentHashMap<>();

  private DuckDbDatabases() {}

  static Path normalize(String file) {
    return Path.of(file).toAbsolutePath().normalize();
  }

  /** A new connection to the shared instance; the caller closes it. */
  public static Connection connect(String file) {
    Path path = normalize(file);
    DuckDBConnection root = ROOTS.computeIfAbsent(path, DuckDbDatabases::open);
    try {
      return root.duplicate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open DuckDB database " + path + ": " + e.getMessage(), e);
    }
  }

  /** The monitor that serialises writes to one database, so upserts never conflict. */
  static Object writeLock(String file) {
    Path path = normalize(file);
    return ROOTS.computeIfAbsent(path, DuckDbDatabases::open);
  }

  /**
   * How long a writer waits for readers of the file to let go: {@code ./meshflow dashboard} and
   * {@code query} hold a read lock for the moment of one read, and a job that starts in that
   * moment should wait for it, not fail.
   */
  private static final long LOCK_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

  private static DuckDBConnection open(Path path) {
    try {
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      long deadline = System.nanoTime() + LOCK_WAIT_NANOS;
      while (true) {
        try {
          return (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + path);
        } catch (SQLException e) {
          if (!String.valueOf(e.getMessage()).contains("Could not set lock") || System.nanoTime() > deadline) {
            throw e;
          }
          java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the folder for " + path, e);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot open DuckDB database " + path + ": a DuckDB file admits one writing process; is another"
              + " job writing it, or another worker of this one (on a cluster, write to PostgreSQL)? "
              + e.getMessage(), e);
    }
  }

  /** How long a close waits for writers still finishing their transaction (a cancelled run's). */
  private static final long CLOSE_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(15);

  /**
   * Checkpoints and closes the shared instance, so other processes can open the file. After a
   * cancel, the runner's workers may still be finishing a bundle's transaction; DuckDB refuses to
   * checkpoint under it, so the close waits for it to end, within a bound.
   */
  public static void close(String file) {
    DuckDBConnection root = ROOTS.remove(normalize(file));
    if (root == null) {
      return;
    }
    long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
    try (root) {
      while (true) {
        try (java.sql.Statement st = root.createStatement()) {
          st.execute("CHECKPOINT");
          return;
        } catch (SQLException e) {
          boolean writersActive = String.valueOf(e.getMessage()).contains("other write transactions active");
          if (!writersActive || System.nanoTime() > deadline) {
            throw e;
          }
          java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot close DuckDB database " + file, e);
    }
  }
}
