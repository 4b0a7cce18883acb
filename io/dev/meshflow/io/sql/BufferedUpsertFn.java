package dev.meshflow.io.sql;

import dev.meshflow.io.PaneVersion;
import dev.meshflow.options.RunMetrics;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers a bundle's rows and upserts them in batches, one transaction each. Within a bundle the
 * last row for a key wins, except that a versioned row ({@link PaneVersion}) never gives way to an
 * older pane. When the database refuses a batch because of a row's data, the batch is retried row
 * by row and each refused row is emitted as a {@link SinkRejects} row instead of failing the
 * pipeline. Other errors (a lost connection, say) fail the bundle, which the runner retries.
 */
public abstract class BufferedUpsertFn extends DoFn<Row, Row> {
  private static final Logger LOG = LoggerFactory.getLogger(BufferedUpsertFn.class);

  protected final String table;
  protected final List<String> keys;
  /** Whether an existing row is kept as it is (a landing table keeps its first ingestion). */
  protected final boolean insertOnly;
  private final int flushRows;
  private final RunMetrics.StageCounter written;
  private transient Map<List<Object>, Buffered> buffer;
  private transient List<Buffered> rejected;

  private static final class Buffered {
    final Row row;
    final Instant timestamp;
    final BoundedWindow window;
    String reason;

    Buffered(Row row, Instant timestamp, BoundedWindow window) {
      this.row = row;
      this.timestamp = timestamp;
      this.window = window;
    }
  }

  protected BufferedUpsertFn(String table, List<String> keys, boolean insertOnly, int flushRows) {
    this.table = RowSql.identifier(table);
    this.keys = List.copyOf(keys);
    this.insertOnly = insertOnly;
    this.flushRows = flushRows;
    this.written = RunMetrics.counter(RunMetrics.rowsWritten(table));
  }

  /** Writes {@code rows} (distinct keys) in one transaction, or throws and writes nothing. */
  protected abstract void writeBatch(List<Row> rows) throws SQLException;

  /** Whether the error is about the data of a row (retrying it alone will fail again). */
  protected abstract boolean isDataError(SQLException e);

  @StartBundle
  public void startBundle() {
    buffer = new LinkedHashMap<>();
    rejected = new ArrayList<>();
  }

  @ProcessElement
  public void process(@Element Row row, @Timestamp Instant timestamp, BoundedWindow window)
      throws SQLException {
    List<Object> key = new ArrayList<>(keys.size());
    for (String k : keys) {
      key.add(row.getValue(k));
    }
    Buffered current = buffer.get(key);
    if (current != null && PaneVersion.isVersioned(row.getSchema())
        && !PaneVersion.supersedes(row, current.row)) {
      return; // an older pane of a window whose newer pane is already buffered
    }
    buffer.remove(key); // re-insert so the newest row keeps its place at the end
    buffer.put(key, new Buffered(row, timestamp, window));
    if (buffer.size() >= flushRows) {
      flush();
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws SQLException {
    flush();
    for (Buffered b : rejected) {
      context.output(SinkRejects.of(table, keys, b.row, b.reason), b.timestamp, b.window);
    }
    rejected.clear();
  }

  private void flush() throws SQLException {
    if (buffer.isEmpty()) {
      return;
    }
    List<Buffered> batch = new ArrayList<>(buffer.values());
    buffer.clear();
    List<Row> rows = new ArrayList<>(batch.size());
    batch.forEach(b -> rows.add(b.row));
    try {
      writeBatch(rows);
      written.inc(rows.size());
      return;
    } catch (SQLException e) {
      if (!isDataError(e)) {
        throw e;
      }
      LOG.warn("{} refused a batch of {} rows ({}); retrying row by row", table, rows.size(),
          e.getMessage());
    }
    for (Buffered b : batch) {
      try {
        writeBatch(List.of(b.row));
        written.inc();
      } catch (SQLException e) {
        if (!isDataError(e)) {
          throw e;
        }
        b.reason = "the warehouse refused the row: " + firstLine(e.getMessage());
        rejected.add(b);
      }
    }
  }

  private static String firstLine(String message) {
    return message == null ? "(no message)" : message.split("\n")[0].trim();
  }
}
