package dev.meshflow.io.duckdb;

import dev.meshflow.io.PaneVersion;
import dev.meshflow.options.RunMetrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.Row;

/**
 * Buffers a bundle's rows and upserts them in one transaction. Within a bundle the last row for a
 * key wins, except that a versioned row ({@link PaneVersion}) never gives way to an older pane.
 */
final class DuckDbUpsertFn extends DoFn<Row, Void> {
  private static final int FLUSH_ROWS = 2000;
  private static final int ROWS_PER_STATEMENT = 200;

  private final String file;
  private final String table;
  private final List<String> keys;
  private final RunMetrics.StageCounter written;
  private transient Map<List<Object>, Row> buffer;

  DuckDbUpsertFn(String file, String table, List<String> keys) {
    this.file = file;
    this.table = DuckDbTables.identifier(table);
    this.keys = keys;
    this.written = RunMetrics.counter(RunMetrics.rowsWritten(table));
  }

  @StartBundle
  public void startBundle() {
    buffer = new LinkedHashMap<>();
  }

  @ProcessElement
  public void process(@Element Row row) throws SQLException {
    List<Object> key = new ArrayList<>(keys.size());
    for (String k : keys) {
      key.add(row.getValue(k));
    }
    Row current = buffer.get(key);
    if (current != null && PaneVersion.isVersioned(row.getSchema())
        && !PaneVersion.supersedes(row, current)) {
      return; // an older pane of a window whose newer pane is already buffered
    }
    buffer.remove(key); // re-insert so the newest row keeps its place at the end
    buffer.put(key, row);
    if (buffer.size() >= FLUSH_ROWS) {
      flush();
    }
  }

  @FinishBundle
  public void finishBundle() throws SQLException {
    flush();
  }

  private void flush() throws SQLException {
    if (buffer.isEmpty()) {
      return;
    }
    List<Row> rows = new ArrayList<>(buffer.values());
    buffer.clear();
    synchronized (DuckDbDatabases.writeLock(file)) {
      try (Connection c = DuckDbDatabases.connect(file)) {
        // Cheap, and robust to a database file that was replaced between runs in one JVM.
        DuckDbTables.execute(c, DuckDbTables.createTableSql(table, rows.get(0).getSchema(), keys));
        c.setAutoCommit(false);
        try {
          for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            String sql = DuckDbTables.upsertSql(table, chunk.get(0).getSchema(), keys, chunk.size());
            try (PreparedStatement st = c.prepareStatement(sql)) {
              int fields = chunk.get(0).getSchema().getFieldCount();
              for (int i = 0; i < chunk.size(); i++) {
                DuckDbTables.bind(st, i * fields, chunk.get(i));
              }
              st.executeUpdate();
            }
          }
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          throw e;
        }
      }
    }
    written.inc(rows.size());
  }
}
