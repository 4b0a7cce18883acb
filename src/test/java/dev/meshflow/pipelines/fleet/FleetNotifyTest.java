package dev.meshflow.pipelines.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.meshflow.io.RowJson;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.transforms.fleet.AlertNotice;
import dev.meshflow.transforms.fleet.NotifyRateLimit;
import dev.meshflow.transforms.fleet.model.FleetAlertsModel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fleet-notify} against a real HTTP server on localhost: the alerts fleet-alerts computes
 * (plus a repeated alert and a line that is not one) are rate-limited per vehicle exactly as the
 * plain-Java rule says; a 503 is retried and then delivered; a receiver that always fails turns
 * the alert into a {@code notify} dead letter; every POST carries the alert as its body and its id
 * as Idempotency-Key; counts are conserved.
 */
public class FleetNotifyTest {
  private static final long MIN_INTERVAL = 20 * 60_000L;
  private static final String BROKEN_VEHICLE = "vehicle-3";

  @TempDir Path tmp;
  private HttpServer server;
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final Map<String, String> bodies = new ConcurrentHashMap<>();

  @BeforeEach
  public void startReceiver() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/notify", exchange -> {
      String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int n = attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      bodies.put(key, body);
      // The first attempt of every alert is refused as overloaded; one vehicle's receiver is down.
      int status = key.contains("|" + BROKEN_VEHICLE + "|") ? 500 : n == 1 ? 503 : 204;
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  public void stopReceiver() {
    server.stop(0);
  }

  @Test
  public void rateLimitsRetriesAndDeadLettersWhatCannotBeDelivered() throws Exception {
    FleetAlertsModel.Result alerts = FleetAlertsTest.model();
    List<byte[]> lines = new ArrayList<>();
    alerts.alerts.values().forEach(r -> lines.add(RowJson.toJson(r)));
    lines.add(lines.get(0)); // a replayed stream repeats an alert
    lines.add("{\"alert_id\":\"x\"}".getBytes(StandardCharsets.UTF_8)); // not an alert
    Path stream = TempFiles.newFile(tmp, "alerts.jsonl");
    try (var out = Files.newOutputStream(stream)) {
      for (byte[] line : lines) {
        out.write(line);
        out.write('\n');
      }
    }

    // The rule, in plain Java: per vehicle in (time, id) order.
    Map<String, List<AlertNotice>> byVehicle = new TreeMap<>();
    for (Row r : alerts.alerts.values()) {
      AlertNotice n = AlertNotice.parse("model", RowJson.toJson(r));
      byVehicle.computeIfAbsent(n.vehicleId, k -> new ArrayList<>()).add(n);
    }
    List<String> expectedRows = new ArrayList<>();
    List<String> expectedFailures = new ArrayList<>();
    for (List<AlertNotice> notices : byVehicle.values()) {
      notices.sort(Comparator.comparingLong((AlertNotice n) -> n.tsMillis).thenComparing(n -> n.alertId));
      NotifyRateLimit.State state = new NotifyRateLimit(MIN_INTERVAL).start();
      for (AlertNotice n : notices) {
        NotifyRateLimit.Decision d = NotifyRateLimit.decide(state, n, MIN_INTERVAL);
        if (d == NotifyRateLimit.Decision.SUPPRESS) {
          expectedRows.add(n.alertId + "|suppressed|0|null");
        } else if (n.vehicleId.equals(BROKEN_VEHICLE)) {
          expectedFailures.add(n.alertId);
        } else {
          expectedRows.add(n.alertId + "|sent|2|204");
        }
      }
    }
    assertTrue(expectedRows.stream().anyMatch(r -> r.contains("|suppressed|")) && !expectedFailures.isEmpty(), "the scenario needs suppressed, sent and failed alerts");

    String db = tmp + "/notify.duckdb";
    FleetNotifyPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner("DirectRunner",
        "--alerts=file:" + stream, "--sink=duckdb:" + db,
        "--notifyUrl=http://127.0.0.1:" + server.getAddress().getPort() + "/notify",
        "--notifyMinInterval=20m", "--notifyRetries=2", "--notifyTimeout=2s"))
        .as(FleetNotifyPipeline.Options.class);
    PipelineResult result = FleetNotifyPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    Tables tables = Tables.duckDb(db);
    Diff.assertSameLines("notifications", expectedRows,
        tables.dump("SELECT alert_id, status, attempts, http_status FROM notifications"));
    Map<String, String> dead = tables.deadLetters();
    assertEquals(expectedFailures.size() + 1, dead.size());
    long notifyDead = dead.values().stream().filter(v -> v.startsWith("notify: not delivered after 3 attempts: HTTP 500")).count();
    assertEquals(expectedFailures.size(), notifyDead);
    // Every delivered or failed alert reached the receiver with its line as the body.
    Map<String, String> sentLines = new HashMap<>();
    alerts.alerts.values().forEach(r -> sentLines.put(r.getString("alert_id"), new String(RowJson.toJson(r), StandardCharsets.UTF_8)));
    for (String failed : expectedFailures) {
      assertEquals(3, attempts.get(failed).get());
      assertEquals(sentLines.get(failed), bodies.get(failed));
    }
    expectedRows.stream().filter(r -> r.contains("|sent|")).map(r -> r.substring(0, r.indexOf("|sent|")))
        .forEach(id -> assertEquals(sentLines.get(id), bodies.get(id)));
    assertEquals(expectedRows.stream().filter(r -> !r.contains("|suppressed|")).count()
        + expectedFailures.size(), attempts.size(), "suppressed alerts are never sent");

    RunCounts counts = RunCounts.of(result);
    assertEquals(lines.size(), counts.read());
    assertEquals(1, counts.duplicates());
    assertTrue(counts.conserved(Conservation.aggregated()), "read = handled + duplicates + dead letters: " + counts);
  }
}
