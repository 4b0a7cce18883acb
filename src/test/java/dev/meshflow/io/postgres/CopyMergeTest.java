package dev.meshflow.io.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.Await;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.services.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresCopyMerge}: new keys are COPYed straight into the table, known keys merged, and a
 * key another writer commits between the look-up and the COPY sends the whole batch to the merge.
 */
public class CopyMergeTest {
  private static final Schema SCHEMA = Schema.builder().addStringField("id").addStringField("v").build();
  private static final List<String> KEY = List.of("id");
  private String db;

  @BeforeEach
  public void createTable() throws Exception {
    db = Postgres.newDatabase("copymerge");
    Postgres.execute(db, "CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT)");
    Postgres.execute(db, "INSERT INTO t VALUES ('k1', 'old')");
  }

  private static List<Row> rows(String... idAndValue) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < idAndValue.length; i += 2) {
      rows.add(Row.withSchema(SCHEMA).addValues(idAndValue[i], idAndValue[i + 1]).build());
    }
    return rows;
  }

  private List<String> table() throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = Postgres.connect(db); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, v FROM t ORDER BY id")) {
      while (rs.next()) {
        out.add(rs.getString(1) + "=" + rs.getString(2));
      }
    }
    return out;
  }

  private long load(List<Row> rows, boolean insertOnly) throws Exception {
    try (Connection c = Postgres.connect(db)) {
      c.setAutoCommit(false);
      long n = PostgresCopyMerge.copyAndMerge(c, "t", KEY, rows, insertOnly);
      c.commit();
      return n;
    }
  }

  @Test
  public void newKeysAreCopiedAndKnownKeysUpdated() throws Exception {
    assertEquals(3, load(rows("k3", "new", "k1", "new", "k2", "new"), false));
    assertEquals(List.of("k1=new", "k2=new", "k3=new"), table());
  }

  @Test
  public void insertOnlyKeepsKnownKeys() throws Exception {
    assertEquals(2, load(rows("k3", "new", "k1", "new", "k2", "new"), true));
    assertEquals(List.of("k1=old", "k2=new", "k3=new"), table());
  }

  @Test
  public void aKeyCommittedByAnotherWriterMeanwhileIsMergedNotRefused() throws Exception {
    try (Connection other = Postgres.connect(db); Connection c = Postgres.connect(db)) {
      other.setAutoCommit(false);
      try (Statement st = other.createStatement()) {
        st.execute("INSERT INTO t VALUES ('k2', 'other')"); // not committed: invisible to the look-up
      }
      int pid;
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      c.setAutoCommit(false);
      CompletableFuture<Long> loading = CompletableFuture.supplyAsync(() -> {
        try {
          long n = PostgresCopyMerge.copyAndMerge(c, "t", KEY, rows("k2", "mine", "k3", "mine"), false);
          c.commit();
          return n;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      // The COPY of k2 waits on the other writer's uncommitted row; then that writer commits.
      Await.until("the COPY waits on the other writer's row", Duration.ofSeconds(30),
          () -> Tables.postgres(db).count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid
              + " AND wait_event_type = 'Lock'"), n -> n == 1);
      other.commit();
      assertEquals(2, (long) loading.get(30, TimeUnit.SECONDS));
    }
    assertEquals(List.of("k1=old", "k2=mine", "k3=mine"), table());
  }
}
