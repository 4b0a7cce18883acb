package dev.meshflow.pipelines.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.generator.VehicleGenerator;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.OptionChecks;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.fleet.Zones;
import dev.meshflow.transforms.fleet.model.FleetAlertsModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fleet-alerts} in batch (a backfill over shuffled history files with duplicates, missing
 * speeds and malformed lines) on the Direct and Flink runners: exact minute statistics, alerts and
 * dead letters against {@link FleetAlertsModel}, conservation, a replay that changes nothing, and
 * precision and recall against the incidents the generator planted.
 */
public class FleetAlertsTest {
  private static final int VEHICLES = 20;
  private static final long EVENTS = VEHICLES * 720L; // two hours of reports every 10 s
  static final String GENERATOR = "generator:vehicles?vehicles=" + VEHICLES + "&events=" + EVENTS
      + "&seed=7&duplicates=0.02&malformed=0.02&missingSpeed=0.05";
  private static final long WINDOW = 60_000;
  private static final long PERIOD = 10_000;

  @TempDir Path tmp;

  static VehicleGenerator generator() {
    return (VehicleGenerator) GeneratedInput.generator(GENERATOR);
  }

  static FleetAlertsModel.Result model() {
    VehicleGenerator g = generator();
    List<FleetAlertsModel.Record> records = GeneratedInput.records(GENERATOR, EVENTS, FleetAlertsModel.Record::new);
    return FleetAlertsModel.run(records, Zones.parse(g.world().geoJson()), WINDOW, PERIOD);
  }

  private Path history() throws Exception {
    Path dir = TempFiles.newFolder(tmp, "history");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, dir, 3, 11);
    return dir;
  }

  private Path zonesFile() throws Exception {
    Path zones = TempFiles.newFile(tmp, "zones.geojson");
    Files.writeString(zones, generator().world().geoJson());
    return zones;
  }

  private PipelineResult run(String runner, Path history, Path zones, String sink) {
    FleetAlertsPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(runner,
        "--positions=file:" + history + "/part-*", "--zones=" + zones, "--sink=" + sink,
        "--alertsStream=file:" + tmp + "/stream-" + runner))
        .as(FleetAlertsPipeline.Options.class);
    PipelineResult result = FleetAlertsPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    return result;
  }

  private static List<String> renderStats(Iterable<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(r.getDateTime("window_start").getMillis() + "|" + r.getString("vehicle_id") + "|"
          + r.getInt64("points") + "|" + r.getDouble("avg_speed_kmh") + "|" + r.getDouble("max_speed_kmh")
          + "|" + r.getInt64("filled_points") + "|" + r.getInt64("outside_points"));
    }
    return out;
  }

  private static List<String> renderAlerts(Iterable<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(r.getString("alert_id") + "|" + r.getDateTime("alert_ts").getMillis() + "|"
          + r.getString("zone_id") + "|" + r.getInt32("speed_limit_kmh") + "|" + r.getDouble("avg_speed_kmh")
          + "|" + r.getString("evidence"));
    }
    return out;
  }

  static void assertMatchesModel(Tables tables, FleetAlertsModel.Result expected) throws Exception {
    Diff.assertSameLines("vehicle_minute_stats", renderStats(expected.minuteStats.values()),
        tables.dump("SELECT " + tables.epochMillis("window_start") + ", vehicle_id, points, avg_speed_kmh,"
            + " max_speed_kmh, filled_points, outside_points FROM vehicle_minute_stats"));
    Diff.assertSameLines("alerts", renderAlerts(expected.alerts.values()),
        tables.dump("SELECT alert_id, " + tables.epochMillis("alert_ts") + ", zone_id, speed_limit_kmh,"
            + " avg_speed_kmh, evidence FROM alerts"));
    // Origins differ (generator index vs file line), so dead letters are compared by content.
    Diff.assertSameLines("dead letters", Tables.sortedValues(expected.deadLetters),
        Tables.sortedValues(tables.deadLetters()));
  }

  static void assertConserved(PipelineResult result, FleetAlertsModel.Result expected) {
    RunCounts counts = RunCounts.of(result);
    assertEquals(expected.read, counts.read());
    assertEquals(expected.valid, counts.valid());
    assertEquals(expected.duplicates, counts.duplicates());
    assertTrue(counts.conserved(Conservation.aggregated()), "read = valid + duplicates + dead letters: " + counts);
  }

  @Test
  public void directBatchMatchesTheModelAndFindsThePlantedIncidents() throws Exception {
    FleetAlertsModel.Result expected = model();
    Path history = history();
    Path zones = zonesFile();
    String db = tmp + "/fleet.duckdb";
    PipelineResult result = run("DirectRunner", history, zones, "duckdb:" + db);
    Tables tables = Tables.duckDb(db);
    assertMatchesModel(tables, expected);
    assertConserved(result, expected);

    List<FleetTruth.Alert> alerts = new ArrayList<>();
    for (Row r : expected.alerts.values()) {
      alerts.add(new FleetTruth.Alert(r.getString("alert_type"), r.getString("vehicle_id"),
          r.getDateTime("alert_ts").getMillis()));
    }
    List<VehicleGenerator.Planted> planted = generator().planted(EVENTS);
    for (String type : List.of("SPEEDING", "GEOFENCE_EXIT")) {
      FleetTruth.Score score = FleetTruth.score(type, alerts, planted, WINDOW);
      System.out.println("fleet-alerts quality, seed 7: " + score);
      assertTrue(score.precision() >= 0.95 && score.recall() >= 0.95, score.toString());
    }

    // The alerts stream carries the same alerts as the table.
    long streamed;
    try (var files = Files.walk(Path.of(tmp + "/stream-DirectRunner"))) {
      streamed = files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.readAllLines(f).size();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).sum();
    }
    assertEquals(expected.alerts.size(), streamed);

    // A replay of the same history upserts the same rows: nothing doubles, nothing changes.
    List<String> before = tables.dump("SELECT * FROM alerts ORDER BY alert_id");
    long stats = tables.count("SELECT count(*) FROM vehicle_minute_stats");
    run("DirectRunner", history, zones, "duckdb:" + db);
    assertEquals(before, tables.dump("SELECT * FROM alerts ORDER BY alert_id"));
    assertEquals(stats, tables.count("SELECT count(*) FROM vehicle_minute_stats"));
  }

  @Test
  public void flinkBatchIntoPostgresMatchesTheModel() throws Exception {
    FleetAlertsModel.Result expected = model();
    String db = Postgres.newDatabase("fleet");
    PipelineResult result = run("FlinkRunner", history(), zonesFile(), Postgres.sinkUri(db));
    assertMatchesModel(Tables.postgres(db), expected);
    assertConserved(result, expected);
  }

  private static void assertRejected(String fragment, String... args) {
    OptionChecks.assertRejected(FleetAlertsPipeline.PIPELINE, fragment, args);
  }

  @Test
  public void badOptionsAreRejectedWithMessagesThatSayTheFix() throws Exception {
    assertRejected("whole number of --speedPeriod", "--speedWindow=1m", "--speedPeriod=7s");
    assertRejected("at most --speedWindow", "--speedWindow=10s", "--speedPeriod=1m");
    assertRejected("use DirectRunner or FlinkRunner", "--runner=SparkRunner");
    assertRejected("--positions=file:/nowhere", "--positions=file:/nowhere/*.jsonl");
    Path history = TempFiles.newFile(tmp, "history.jsonl");
    assertRejected("--zones=<GeoJSON file>", "--positions=file:" + history);
    Path badZones = TempFiles.newFile(tmp, "bad.geojson");
    Files.writeString(badZones, "{\"type\":\"FeatureCollection\",\"features\":[{\"properties\":{}}]}");
    assertRejected("needs properties zone_id and speed_limit_kmh", "--zones=" + badZones);
    Path zones = zonesFile();
    assertRejected("--zonesRefresh=0s to read it once", "--runner=FlinkRunner", "--streaming",
        "--positions=kafka://127.0.0.1:9/positions", "--zones=" + zones);
  }
}
