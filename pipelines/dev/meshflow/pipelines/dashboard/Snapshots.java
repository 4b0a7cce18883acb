package dev.meshflow.pipelines.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * Reads every panel's data at once, on one connection that is closed right after: a dashboard
 * beside a DuckDB file never keeps its lock between reads. A panel whose query fails says why in
 * its {@code error}; a warehouse that cannot be opened keeps the previous panels and says so in
 * {@code warehouseError}, so the page keeps what it showed.
 */
final class Snapshots implements AutoCloseable {
  private final Callable<Connection> warehouse;
  private final String warehouseName;
  private final LineageLog lineage;
  private final Path catalogDir;
  private final java.util.function.Supplier<String> liveJob;
  private final ProductFreshness freshness;
  private ObjectNode previous;

  Snapshots(Callable<Connection> warehouse, String warehouseName, Path lineageFile, Path catalogDir,
      java.util.function.Supplier<String> liveJob, ProductFreshness freshness) {
    this.liveJob = liveJob;
    this.freshness = freshness;
    this.warehouse = warehouse;
    this.warehouseName = warehouseName;
    this.lineage = new LineageLog(lineageFile);
    this.catalogDir = catalogDir;
  }

  /** What each panel shows now. */
  synchronized ObjectNode read() {
    ObjectNode s = PanelSql.JSON.createObjectNode();
    s.put("asOf", Instant.now().toString()).put("warehouse", warehouseName).put("lineageFile", lineage.file().toString());
    String progress = liveJob.get();
    if (progress != null) {
      s.put("liveJob", progress);
    }
    try (Connection c = warehouse.call()) {
      s.set("trends", panel(() -> TrendsPanel.read(c)));
      s.set("deadLetters", panel(() -> DeadLettersPanel.read(c)));
      s.set("alerts", panel(() -> AlertsPanel.read(c)));
      s.set("models", panel(() -> ModelsPanel.read(c)));
    } catch (Exception e) {
      String why = oneLine(e);
      s.put("warehouseError", why.contains("Could not set lock")
          ? "a running job holds " + warehouseName + " (a DuckDB file admits one process while it writes); the"
              + " panels show what was read before and fill again when the job ends. For live runs, write to"
              + " PostgreSQL: --sink=postgresql://host:port/db?user=U"
          : "cannot read " + warehouseName + ": " + why);
      for (String kept : new String[] {"trends", "deadLetters", "alerts", "models"}) {
        if (previous != null && previous.has(kept)) {
          s.set(kept, previous.get(kept));
        }
      }
    }
    s.set("runs", panel(lineage::runs));
    s.set("products", panel(() -> ProductsPanel.read(catalogDir, lineage, freshness)));
    previous = s;
    return s;
  }

  @Override
  public void close() {
    freshness.close();
  }

  /** The drill-down: a few dead letters of one stage and kind of reason. */
  com.fasterxml.jackson.databind.JsonNode deadLetterSamples(String stage, String kind) throws Exception {
    try (Connection c = warehouse.call()) {
      return DeadLettersPanel.samples(c, stage, kind);
    }
  }

  private interface PanelRead {
    com.fasterxml.jackson.databind.JsonNode read() throws Exception;
  }

  private static com.fasterxml.jackson.databind.JsonNode panel(PanelRead read) {
    try {
      return read.read();
    } catch (Exception e) {
      return PanelSql.JSON.createObjectNode().put("error", oneLine(e));
    }
  }

  /** An exception as one line: its message's first line, without the stack. */
  static String oneLine(Throwable e) {
    String message = e instanceof SQLException || e.getMessage() != null ? String.valueOf(e.getMessage())
        : e.getClass().getSimpleName();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
