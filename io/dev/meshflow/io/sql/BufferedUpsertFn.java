package dev.meshflow.io.sql;

import dev.meshflow.core.PaneVersion;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.io.SinkRejects;
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
 * pipeline. An error that says the warehouse is away for now (a restart, a dropped connection) is
 * retried with exponential backoff for up to {@link #RETRY_FOR_MILLIS}, once this JVM has written
 * to that warehouse (one never reached fails at once, by name): each attempt is one
 * transaction, so a batch is applied whole or not at all, and the upsert makes a batch that did
 * commit before its connection broke harmless to send again. Other errors fail the bundle.
 */
public abstract class BufferedUpsertFn extends DoFn<Row, Row> {
  private static final Logger LOG = LoggerFactory.getLogger(BufferedUpsertFn.class);
  /** Counts the attempts a sink repeated because the warehouse was away. */
  public static final String RETRIES = "sink_retries";
  /**
   * How long one batch waits for the warehouse. Longer than a database restart or a fail-over
   * takes, shorter than an operator would wait before looking; past it the bundle fails and the
   * runner's own retry (and on Flink, restart from the last checkpoint) takes over.
   */
  static final long RETRY_FOR_MILLIS = 5 * 60_000L;
  private static final long FIRST_BACKOFF_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 15_000;
  /** The warehouses this JVM has written to: only those are waited for when they go away. */
  private static final java.util.Set<String> REACHED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  protected final String table;
  protected final List<String> keys;
  /** Whether an existing row is kept as it is (a landing table keeps its first ingestion). */
  protected final boolean insertOnly;
  private final int flushRows;
  private final RunMetrics.StageCounter written;
  private final RunMetrics.StageCounter retries = RunMetrics.counter(RETRIES);
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

  /**
   * Whether the error says the warehouse is away for now, so the same batch may succeed later.
   * The connection that failed is dropped before the next attempt.
   */
  protected boolean isTransient(SQLException e) {
    return false;
  }

  /** Drops the current connection after a transient error; the next batch opens a new one. */
  protected void dropConnection() {}

  /** Which database the rows go to, whatever the table: once one answered, its outages are waited for. */
  protected String warehouseId() {
    return getClass().getName();
  }

  /** Where the rows go, for log lines: never a password. */
  protected String describeTarget() {
    return table;
  }

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
      writeRetrying(rows);
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
        writeRetrying(List.of(b.row));
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

  /** One batch, one transaction per attempt; a transient error waits and tries again. */
  private void writeRetrying(List<Row> rows) throws SQLException {
    long deadline = System.currentTimeMillis() + RETRY_FOR_MILLIS;
    long backoff = FIRST_BACKOFF_MILLIS;
    for (int attempt = 1; ; attempt++) {
      try {
        writeBatch(rows);
        REACHED.add(warehouseId());
        if (attempt > 1) {
          LOG.warn("{} is back: wrote the waiting batch of {} rows on attempt {}", describeTarget(),
              rows.size(), attempt);
        }
        return;
      } catch (SQLException e) {
        // A warehouse never reached in this JVM is a wrong address or a server that is down:
        // that fails at once, by name. Only one that answered before is waited for.
        if (!isTransient(e) || !REACHED.contains(warehouseId())
            || System.currentTimeMillis() + backoff > deadline) {
          throw e;
        }
        dropConnection();
        retries.inc();
        LOG.warn("{} could not take a batch of {} rows for now ({}); retrying in {} ms (attempt {})",
            describeTarget(), rows.size(), firstLine(e.getMessage()), backoff, attempt + 1);
        try {
          Thread.sleep(backoff); // backoff between real connection attempts
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
      }
    }
  }

  private static String firstLine(String message) {
    return message == null ? "(no message)" : message.split("\n")[0].trim();
  }
}
