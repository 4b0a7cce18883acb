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
import java.util.List;
import java.util.Properties;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.services.Chromium;
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

  /** Tables with only the columns the panels read, in SQL both warehouses take. */
  private static final List<String> TABLES = List.of(
      "CREATE TABLE item_minute_stats (window_start TIMESTAMP, item_id VARCHAR(64), item_type VARCHAR(16),"
          + " plays BIGINT, skips BIGINT, likes BIGINT, playlist_adds BIGINT)",
      "INSERT INTO item_minute_stats VALUES (TIMESTAMP '2026-12-07 10:00:00', 'a', 'song', 5, 1, 0, 0),"
          + " (TIMESTAMP '2026-12-07 10:01:00', 'b', 'song', 10, 5, 1, 0)",
      "CREATE TABLE rec_items (item_id VARCHAR(64), genre VARCHAR(32))",
      "INSERT INTO rec_items VALUES ('a', 'jazz'), ('b', 'rock')",
      "CREATE TABLE alerts (alert_id VARCHAR(64), alert_ts TIMESTAMP, alert_type VARCHAR(16), vehicle_id VARCHAR(16),"
          + " zone_id VARCHAR(16), evidence VARCHAR(200))",
      "INSERT INTO alerts VALUES ('x1', TIMESTAMP '2026-12-07 10:00:00', 'SPEEDING', 'v1', 'z1', 'avg 91 km/h in 50'),"
          + " ('x2', TIMESTAMP '2026-12-07 10:05:00', 'GEOFENCE_EXIT', 'v2', 'z2', 'left z2')",
      "CREATE TABLE anomalies (session_id VARCHAR(64), start_ts TIMESTAMP, score DOUBLE PRECISION,"
          + " threshold DOUBLE PRECISION, is_bot BOOLEAN, features VARCHAR(200))",
      "INSERT INTO anomalies VALUES ('s1', TIMESTAMP '2026-12-07 10:00:00', 3.5, 2.0, FALSE, '[1,2]')",
      "CREATE TABLE model_evaluation (window_end TIMESTAMP, model_id VARCHAR(64), predictions BIGINT,"
          + " auc DOUBLE PRECISION, log_loss DOUBLE PRECISION, max_psi DOUBLE PRECISION, triggers_retrain BOOLEAN)",
      "INSERT INTO model_evaluation VALUES (TIMESTAMP '2026-12-07 10:00:00', 'm1', 100, 0.8, 0.5, 0.01, FALSE),"
          + " (TIMESTAMP '2026-12-07 11:00:00', 'm1', 90, NULL, 0.7, 0.3, TRUE)",
      "CREATE TABLE skip_models (model_id VARCHAR(64), window_end TIMESTAMP, holdout_auc DOUBLE PRECISION,"
          + " holdout_log_loss DOUBLE PRECISION, reason VARCHAR(64))",
      "INSERT INTO skip_models VALUES ('m2', TIMESTAMP '2026-12-07 11:00:00', 0.79, 0.5, 'drift')",
      "CREATE TABLE feature_drift (window_start TIMESTAMP, model_id VARCHAR(64), feature VARCHAR(64),"
          + " psi DOUBLE PRECISION)",
      "INSERT INTO feature_drift VALUES (TIMESTAMP '2026-12-07 10:00:00', 'm1', 'old', 9.0),"
          + " (TIMESTAMP '2026-12-07 11:00:00', 'm1', 'hour', 0.1), (TIMESTAMP '2026-12-07 11:00:00', 'm1', 'genre', 0.3)",
      "CREATE TABLE rec_online_evaluation (served_id VARCHAR(64), served_at TIMESTAMP, hit BOOLEAN)",
      "INSERT INTO rec_online_evaluation VALUES ('l1', TIMESTAMP '2026-12-07 10:00:05', TRUE),"
          + " ('l2', TIMESTAMP '2026-12-07 10:00:40', FALSE), ('l3', TIMESTAMP '2026-12-07 10:00:59', TRUE)");

  @Test
  public void everyPanelReadsItsTablesInDuckDbAndPostgres() throws Exception {
    String file = tmp.resolve("all.duckdb").toString();
    String pg = dev.meshflow.testing.services.Postgres.newDatabase("dashboard_panels");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + file);
        Connection postgres = dev.meshflow.testing.services.Postgres.connect(pg)) {
      for (Connection c : List.of(duck, postgres)) {
        try (Statement st = c.createStatement()) {
          for (String sql : TABLES) {
            st.execute(sql);
          }
        }
      }
    }
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    java.util.Map<String, java.util.concurrent.Callable<Connection>> warehouses = java.util.Map.of(
        "DuckDB", () -> DriverManager.getConnection("jdbc:duckdb:" + file, readOnly),
        "PostgreSQL", () -> dev.meshflow.testing.services.Postgres.connect(pg));
    for (var w : warehouses.entrySet()) {
      JsonNode s;
      try (Snapshots snapshots = new Snapshots(w.getValue(), w.getKey(), tmp.resolve("none.jsonl"), tmp.resolve("none"),
          () -> null, new ProductFreshness(null, Duration.ofSeconds(10)))) {
        s = snapshots.read();
      }
      String where = w.getKey() + ": " + s;
      assertTrue(s.path("warehouseError").isMissingNode(), where);
      assertEquals(List.of("jazz", "rock"), texts(s.path("trends").path("skipRateByGenre"), "genre"), where);
      assertEquals(5, s.path("trends").path("skipRateByGenre").get(1).path("skips").asLong(), where);
      assertEquals(List.of("x2", "x1").size(), s.path("alerts").path("alerts").size(), where);
      assertEquals("GEOFENCE_EXIT", s.path("alerts").path("alerts").get(0).path("alert_type").asText(), "newest first: " + where);
      assertEquals(2, s.path("alerts").path("alertCount").asLong(), where);
      assertEquals(3.5, s.path("alerts").path("anomalies").get(0).path("score").asDouble(), where);
      JsonNode evaluation = s.path("models").path("evaluation");
      assertEquals(2, evaluation.size(), where);
      assertEquals(0.8, evaluation.get(0).path("auc").asDouble(), "oldest first: " + where);
      assertTrue(evaluation.get(1).path("auc").isNull(), "a window without an AUC: " + where);
      assertEquals("2026-12-07T11:00:00Z", s.path("models").path("retrains").get(0).path("window_end").asText(), where);
      assertEquals(List.of("genre", "hour"), texts(s.path("models").path("drift"), "feature"), "the latest window, worst first: "
          + where);
      JsonNode online = s.path("models").path("online");
      assertEquals(1, online.size(), "one minute: " + where);
      assertEquals("2026-12-07T10:00:00Z", online.get(0).path("minute").asText(), where);
      assertEquals(3, online.get(0).path("lists").asLong(), where);
      assertEquals(2, online.get(0).path("hits").asLong(), where);
    }
  }

  /**
   * Each product's freshness, measured on its real topic against its contract's promise: a change
   * stream whose newest changes reached the topic 200 ms after their outbox rows (Songs, promise
   * 5 s), an event stream whose events arrive five minutes after they happened (Interactions,
   * promise 1 minute: late, and red in a real browser), an empty topic, a missing one, and a
   * broker that does not answer.
   */
  @Test
  public void eachProductsFreshnessIsMeasuredOnItsStreamAndLateIsRed() throws Exception {
    dev.meshflow.testing.services.KafkaBroker kafka = dev.meshflow.testing.services.KafkaBroker.shared();
    Path catalog = tmp.resolve("catalog");
    MeshCatalog.init(catalog);
    String prefix = "fresh-" + System.nanoTime() + "-";
    for (String product : List.of("songs", "interactions", "podcasts", "users")) {
      Path contract = catalog.resolve("products/" + product + ".odcs.yaml");
      String text = java.nio.file.Files.readString(contract);
      String topic = "property: topic\n        value: " + product + "\n";
      assertTrue(text.contains(topic), contract.toString());
      java.nio.file.Files.writeString(contract, text.replace(topic, "property: topic\n        value: " + prefix + product + "\n"));
    }
    kafka.createTopic(prefix + "songs", 2);
    kafka.createTopic(prefix + "interactions", 1);
    kafka.createTopic(prefix + "podcasts", 1);
    long sent = System.currentTimeMillis() - 1_000;
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrap());
    p.put("key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
    p.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(p)) {
      for (int i = 0; i < 50; i++) {
        // As the relay sends a change: the outbox row's time in created_at, as Debezium renders it.
        var change = new org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>(prefix + "songs", i % 2,
            sent + i, ("song-" + i).getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 1});
        change.headers().add("created_at", java.time.Instant.ofEpochMilli(sent + i - 200).atOffset(java.time.ZoneOffset.UTC)
            .format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME).getBytes(StandardCharsets.UTF_8));
        producer.send(change).get();
      }
      for (int i = 0; i < 9; i++) {
        String ts = java.time.Instant.ofEpochMilli(sent + i - 300_000).toString();
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(prefix + "interactions", 0, sent + i, null,
            ("{\"event_id\":\"e" + i + "\",\"ts\":\"" + ts + "\"}").getBytes(StandardCharsets.UTF_8))).get();
      }
      // Not the product's shape: no delay of its own, and no harm to the others'.
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(prefix + "interactions", 0, sent + 9, null,
          "<not json>".getBytes(StandardCharsets.UTF_8))).get();
    }

    // A broker that does not answer costs one line, and is not asked again within the interval.
    try (ProductFreshness down = new ProductFreshness("127.0.0.1:1", Duration.ofMinutes(1))) {
      MeshCatalog products = MeshCatalog.open(catalog);
      assertEquals("reading its stream…", down.of(products.product("songs")).path("note").asText(), "at once, never waiting");
      Await.until("the unreachable broker in one line", Duration.ofSeconds(10),
          () -> down.of(products.product("songs")).path("note").asText(), note -> note.startsWith("broker 127.0.0.1:1 not reachable: "));
      down.of(products.product("users"));
      Await.until("the next product not to ask the broker again", Duration.ofMillis(1_000),
          () -> down.of(products.product("users")).path("note").asText(),
          note -> note.startsWith("broker 127.0.0.1:1 not reachable; tried again at "));
    }

    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    String file = tmp.resolve("empty.duckdb").toString();
    DriverManager.getConnection("jdbc:duckdb:" + file).close();
    try (DashboardServer dashboard = DashboardServer.start(() -> DriverManager.getConnection("jdbc:duckdb:" + file,
        readOnly), "DuckDB " + file, tmp.resolve("lineage.jsonl"), catalog, "127.0.0.1", 0, Duration.ofSeconds(1),
        () -> null, kafka.bootstrap())) {
      // The first snapshot does not wait for the topics; a later one has read them.
      java.util.Map<String, JsonNode> freshness = Await.until("every product's stream read", Duration.ofSeconds(30), () -> {
        java.util.Map<String, JsonNode> byProduct = new java.util.HashMap<>();
        PanelSql.JSON.readTree(get(dashboard, "api/snapshot").body()).path("products").path("products")
            .forEach(r -> byProduct.put(r.path("product").asText(), r.path("freshness")));
        return byProduct;
      }, byProduct -> byProduct.size() == 4 && byProduct.values().stream()
          .noneMatch(f -> f.path("note").asText().equals("reading its stream…")));

      JsonNode songs = freshness.get("songs");
      assertEquals(200, songs.path("delayMs").asLong(), songs.toString());
      assertEquals(200, songs.path("maxDelayMs").asLong(), songs.toString());
      assertEquals(2 * ProductFreshness.NEWEST, songs.path("records").asInt(), "the newest of each partition: " + songs);
      assertEquals(false, songs.path("late").asBoolean(true), songs.toString());
      assertEquals("committed (outbox) to sent", songs.path("basis").asText());
      assertEquals(java.time.Instant.ofEpochMilli(sent + 49).toString(), songs.path("newestSentAt").asText());

      JsonNode interactions = freshness.get("interactions");
      assertEquals(300_000, interactions.path("delayMs").asLong(), interactions.toString());
      assertEquals(9, interactions.path("measured").asInt(), "the record that is not JSON has no delay: " + interactions);
      assertEquals(true, interactions.path("late").asBoolean(false), "over its 1-minute promise: " + interactions);
      assertEquals("event time (ts) to sent", interactions.path("basis").asText());

      assertEquals("topic " + prefix + "podcasts has no records yet", freshness.get("podcasts").path("note").asText());
      assertEquals("no topic " + prefix + "users at " + kafka.bootstrap() + " yet", freshness.get("users").path("note").asText());

      // Red when late, in a real browser; the promise kept, in green.
      Chromium.binary(); // installs it, or skips the rest with the reason
      try (Chromium browser = Chromium.start(1280, 900)) {
        browser.open(dashboard.url());
        JsonNode cells = Await.until("the products table with its measured freshness", Duration.ofSeconds(30),
            () -> browser.evaluate("[...document.querySelectorAll('#products tbody tr')].map(tr => [tr.children[0].textContent,"
                + " tr.children[5].textContent, getComputedStyle(tr.children[5]).color, tr.children[5].className])"),
            rows -> rows.size() == 4);
        java.util.Map<String, JsonNode> shown = new java.util.HashMap<>();
        cells.forEach(c -> shown.put(c.get(0).asText(), c));
        assertEquals("300 s, late (max 300 s)", shown.get("interactions").get(1).asText());
        assertEquals("rgb(192, 57, 43)", shown.get("interactions").get(2).asText(), "red: " + shown.get("interactions"));
        assertEquals("0.2 s (max 0.2 s)", shown.get("songs").get(1).asText());
        assertEquals("good", shown.get("songs").get(3).asText());
        assertEquals(List.of(), browser.pageErrors());
        browser.screenshot("#panel-products", Path.of("target/dashboard/products-freshness.png"));
      }
    }

  }

  private static List<String> texts(JsonNode rows, String field) {
    List<String> out = new java.util.ArrayList<>();
    rows.forEach(r -> out.add(r.path(field).asText()));
    return out;
  }
}
