package dev.meshflow.io.duckdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DuckDB upsert never lets an older pane overwrite a newer one; a final pane always wins. */
public class VersionedUpsertTest {
  private static final Schema SCHEMA = Schema.builder().addStringField("k").addInt64Field("n")
      .addInt64Field("pane_index").addBooleanField("is_final").build();
  private static final Schema PLAIN = Schema.builder().addStringField("k").addInt64Field("n").build();

  @TempDir Path tmp;

  private void upsert(String db, String table, Row row) throws Exception {
    new DuckDbUpsertFn(db, table, List.of("k"), false).writeBatch(List.of(row));
  }

  private long n(String db, String table) throws Exception {
    try (Connection c = DuckDbDatabases.connect(db); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT n FROM " + table + " WHERE k = 'a'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Row pane(long n, long index, boolean last) {
    return Row.withSchema(SCHEMA).addValues("a", n, index, last).build();
  }

  @Test
  public void panesNeverRegress() throws Exception {
    String db = tmp + "/v.duckdb";
    upsert(db, "t", pane(5, 0, false));
    upsert(db, "t", pane(9, 2, false));
    upsert(db, "t", pane(7, 1, false)); // arrives after pane 2: ignored
    assertEquals(9, n(db, "t"));
    upsert(db, "t", pane(9, 2, false)); // a replay of the same pane: harmless
    assertEquals(9, n(db, "t"));
    upsert(db, "t", pane(11, 0, true)); // a final pane (a batch backfill) always replaces
    assertEquals(11, n(db, "t"));
    upsert(db, "t", pane(12, 3, false)); // nothing replaces a final row but another final one
    assertEquals(11, n(db, "t"));
    upsert(db, "t", pane(10, 0, true));
    assertEquals(10, n(db, "t"));
    DuckDbDatabases.close(db);
  }

  @Test
  public void unversionedRowsAreLastWriteWins() throws Exception {
    String db = tmp + "/p.duckdb";
    upsert(db, "p", Row.withSchema(PLAIN).addValues("a", 5L).build());
    upsert(db, "p", Row.withSchema(PLAIN).addValues("a", 3L).build());
    assertEquals(3, n(db, "p"));
    DuckDbDatabases.close(db);
  }
}
