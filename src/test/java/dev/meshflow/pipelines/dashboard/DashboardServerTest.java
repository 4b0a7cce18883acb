package dev.meshflow.pipelines.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's HTTP side over a real DuckDB file, without a browser: a warehouse without the
 * panels' tables, the errors, the security headers, and a drill-down whose parameters are bound.
 */
public class DashboardServerTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir
  Path tmp;

  @Test
  public void panelsWithoutTablesSayWhatWritesThemAndRequestsAreReadOnly() throws Exception {
    String file = tmp.resolve("w.duckdb").toString();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE dead_letter (id VARCHAR, stage VARCHAR, reason VARCHAR, origin VARCHAR, payload BLOB,"
          + " payload_text VARCHAR, event_ts TIMESTAMP, failed_at TIMESTAMP)");
      st.execute("INSERT INTO dead_letter VALUES ('d1', 'parse', 'not JSON: at 7', 'file:a', 'x'::BLOB, 'x', NULL,"
          + " TIMESTAMP '2026-12-07 10:00:00')");
      st.execute("CREATE TABLE item_minute_stats (window_start TIMESTAMP, item_id VARCHAR, item_type VARCHAR,"
          + " plays BIGINT, skips BIGINT, likes BIGINT, playlist_adds BIGINT)");
      // Two minutes of the last hour, and one minute an hour and a half before the newest.
      st.execute("INSERT INTO item_minute_stats VALUES (TIMESTAMP '2026-12-07 10:00:00', 'a', 'song', 5, 1, 0, 0),"
          + " (TIMESTAMP '2026-12-07 10:30:00', 'b', 'song', 7, 2, 1, 1),"
          + " (TIMESTAMP '2026-12-07 09:00:00', 'a', 'song', 100, 0, 0, 0)");
    }
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (DashboardServer dashboard = DashboardServer.start(() -> DriverManager.getConnection("jdbc:duckdb:" + file,
        readOnly), "DuckDB " + file, tmp.resolve("lineage.jsonl"), tmp.resolve("catalog"), "127.0.0.1", 0,
        Duration.ofSeconds(60))) {
      JsonNode snapshot = PanelSql.JSON.readTree(get(dashboard, "api/snapshot").body());
      JsonNode totals = snapshot.path("trends").path("totals");
      assertTrue(totals.path("plays").isIntegralNumber(), "DuckDB's HUGEINT sums are numbers: " + totals);
      assertEquals(12, totals.path("plays").asLong(), "the hour up to the newest minute only");
      assertEquals("2026-12-07T10:30:00Z", totals.path("latest_minute").asText());
      assertEquals(2, snapshot.path("trends").path("minutes").size());
      assertEquals("no rec_items table in this warehouse yet: ./meshflow recommendations (reading the Songs and"
          + " Podcasts products) writes it", snapshot.path("trends").path("skipRateByGenre").path("missing").asText());
      assertEquals("no alerts table in this warehouse yet: ./meshflow fleet-alerts writes it",
          snapshot.path("alerts").path("alerts").path("missing").asText());
      assertTrue(snapshot.path("models").path("evaluation").path("missing").asText().startsWith("no model_evaluation"));
      assertEquals(1, snapshot.path("deadLetters").path("total").asLong());
      assertEquals("not JSON", snapshot.path("deadLetters").path("groups").get(0).path("kind").asText());
      assertEquals(0, snapshot.path("runs").size(), "no lineage file: no runs");

      HttpResponse<String> page = get(dashboard, "");
      assertEquals(200, page.statusCode());
      assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
      assertEquals(200, get(dashboard, "assets/echarts.min.js").statusCode(), "ECharts is served locally");

      assertEquals("[{\"id\":\"d1\",\"reason\":\"not JSON: at 7\",\"origin\":\"file:a\",\"payload_text\":\"x\","
          + "\"event_ts\":null,\"failed_at\":\"2026-12-07T10:00:00Z\"}]", get(dashboard, "api/dead-letters?stage=parse&kind="
          + URLEncoder.encode("not JSON", StandardCharsets.UTF_8)).body());
      assertEquals("[]", get(dashboard, "api/dead-letters?kind=x&stage="
          + URLEncoder.encode("parse' OR '1'='1", StandardCharsets.UTF_8)).body(), "a stage is a value, never SQL");
      assertEquals(400, get(dashboard, "api/dead-letters?stage=parse").statusCode());
      assertEquals(404, get(dashboard, "api/tables").statusCode());
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + "api/snapshot"))
          .POST(HttpRequest.BodyPublishers.ofString("DROP TABLE dead_letter")).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
    }
  }

  private HttpResponse<String> get(DashboardServer dashboard, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  public void aReasonsKindLeavesOutTheRecordItNames() {
    assertEquals("event time … is beyond the allowed lateness", DeadLettersPanel.kind(
        "event time 2026-12-07T03:30:10.758Z is beyond the allowed lateness: its window closed for good at 2026-12-07T03:41:00Z"));
    assertEquals("not valid JSON", DeadLettersPanel.kind("not valid JSON: Unexpected character ('<' (code 60))"));
    assertEquals("duration_ms is negative", DeadLettersPanel.kind("duration_ms is negative"));
  }
}
