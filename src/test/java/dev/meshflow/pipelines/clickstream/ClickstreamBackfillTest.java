package dev.meshflow.pipelines.clickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.OptionChecks;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.Products;
import dev.meshflow.transforms.clickstream.TrafficStats;
import dev.meshflow.transforms.clickstream.model.ClickstreamModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code clickstream-backfill} in batch (a backfill over shuffled history files with duplicates,
 * late and malformed lines) on the Direct and Flink runners: exact sessions, identity map, traffic
 * aggregate and dead letters against {@link ClickstreamModel}, conservation, a replay that changes
 * nothing, a date range, and stitching and bot quality against what the generator planted.
 */
public class ClickstreamBackfillTest {
  private static final long EVENTS = 16_000; // 2,000 visits, about 3.5 hours
  static final String GENERATOR = "generator:clicks?events=" + EVENTS
      + "&seed=7&persons=150&duplicates=0.02&malformed=0.02&late=0.005";

  @TempDir Path tmp;

  static ClickGenerator generator() {
    return (ClickGenerator) GeneratedInput.generator(GENERATOR);
  }

  static ClickstreamModel.Result model(Clickstream.Settings settings) {
    return model(GENERATOR, EVENTS, settings);
  }

  /** The reference model over the first {@code events} records of a click generator URI. */
  public static ClickstreamModel.Result model(String uri, long events, Clickstream.Settings settings) {
    ClickGenerator g = (ClickGenerator) GeneratedInput.generator(uri);
    List<ClickstreamModel.Record> records = GeneratedInput.records(uri, events, ClickstreamModel.Record::new);
    return ClickstreamModel.run(records, Products.parse(g.productsJsonLines()), settings);
  }

  private Path history() throws Exception {
    Path dir = TempFiles.newFolder(tmp, "history");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, dir, 3, 11);
    return dir;
  }

  private Path productsFile() throws Exception {
    Path products = TempFiles.newFile(tmp, "products.jsonl");
    Files.writeString(products, generator().productsJsonLines());
    return products;
  }

  private PipelineResult run(String runner, Path history, Path products, String sink, String... extra) {
    List<String> args = new ArrayList<>(List.of("--clicks=file:" + history + "/part-*",
        "--products=" + products, "--sink=" + sink));
    args.addAll(List.of(extra));
    ClickstreamBackfillPipeline.Options options = PipelineOptionsFactory
        .fromArgs(RunnerArgs.asTheLauncherRuns(runner, args.toArray(new String[0])))
        .as(ClickstreamBackfillPipeline.Options.class);
    PipelineResult result = ClickstreamBackfillPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    return result;
  }

  static List<String> renderSessions(Iterable<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(r.getString("session_id") + "|" + r.getString("cookie_id") + "|" + r.getString("device_id")
          + "|" + r.getString("person_id") + "|" + r.getString("country") + "|"
          + r.getDateTime("start_ts").getMillis() + "|" + r.getDateTime("end_ts").getMillis() + "|"
          + r.getInt64("events") + "|" + r.getInt64("page_views") + "|" + r.getInt64("actions") + "|"
          + r.getBoolean("added_to_cart") + "|" + r.getBoolean("purchased") + "|" + r.getInt64("revenue_cents")
          + "|" + r.getDouble("events_per_minute") + "|" + r.getBoolean("is_bot") + "|" + r.getString("bot_reason"));
    }
    return out;
  }

  static List<String> renderTraffic(Iterable<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(r.getDateTime("hour_start").getMillis() + "|" + r.getString("country") + "|" + r.getInt64("sessions")
          + "|" + r.getInt64("visitors") + "|" + r.getInt64("page_views") + "|" + r.getInt64("purchases")
          + "|" + r.getInt64("revenue_cents"));
    }
    return out;
  }

  static void assertMatchesModel(Tables tables, ClickstreamModel.Result expected) throws Exception {
    List<String> events = new ArrayList<>();
    for (Row r : expected.events.values()) {
      events.add(r.getString("event_id") + "|" + r.getDateTime("event_ts").getMillis() + "|" + r.getString("person_id")
          + "|" + r.getString("ip") + "|" + r.getString("country") + "|" + r.getString("category") + "|"
          + r.getInt64("price_cents") + "|" + r.getString("search_text"));
    }
    Diff.assertSameLines("click_events", events, tables.dump("SELECT event_id, " + tables.epochMillis("event_ts")
        + ", person_id, ip, country, category, price_cents, search_text FROM click_events"));
    Diff.assertSameLines("sessions", renderSessions(expected.sessions.values()),
        tables.dump("SELECT session_id, cookie_id, device_id, person_id, country, "
            + tables.epochMillis("start_ts") + ", " + tables.epochMillis("end_ts") + ", events, page_views,"
            + " actions, added_to_cart, purchased, revenue_cents, events_per_minute, is_bot, bot_reason"
            + " FROM sessions"));
    List<String> identities = new ArrayList<>();
    expected.identities.forEach((identity, person) -> identities.add(identity + "|" + person + "|true"));
    Diff.assertSameLines("identity_map", identities,
        tables.dump("SELECT identity, person_id, linked FROM identity_map"));
    Diff.assertSameLines(TrafficStats.TABLE, renderTraffic(expected.traffic.values()),
        tables.dump("SELECT " + tables.epochMillis("hour_start") + ", country, sessions, visitors, page_views,"
            + " purchases, revenue_cents FROM " + TrafficStats.TABLE));
    // Origins differ (generator index vs file line), so dead letters are compared by content.
    Diff.assertSameLines("dead letters", Tables.sortedValues(expected.deadLetters),
        Tables.sortedValues(tables.deadLetters()));
  }

  static void assertConserved(PipelineResult result, ClickstreamModel.Result expected) {
    RunCounts counts = RunCounts.of(result);
    assertEquals(expected.read, counts.read());
    assertEquals(expected.valid, counts.valid());
    assertEquals(expected.duplicates, counts.duplicates());
    assertEquals(expected.filtered, counts.filtered());
    assertEquals(expected.suppressedGroups, counts.get(TrafficStats.SUPPRESSED));
    assertTrue(counts.conserved(Conservation.aggregated()), "read = valid + filtered + duplicates + dead letters: " + counts);
  }

  @Test
  public void directBackfillMatchesTheModelAndFindsWhatWasPlanted() throws Exception {
    ClickstreamModel.Result expected = model(new Clickstream.Settings());
    assertTrue(expected.duplicates > 0 && !expected.deadLetters.isEmpty() && expected.suppressedGroups > 0, "the seed plants duplicates, malformed lines and withheld groups");
    Path history = history();
    Path products = productsFile();
    String db = tmp + "/clicks.duckdb";
    PipelineResult result = run("DirectRunner", history, products, "duckdb:" + db);
    Tables tables = Tables.duckDb(db);
    assertMatchesModel(tables, expected);
    assertConserved(result, expected);

    // Quality against the planted truth (the model equals the pipeline, as just checked).
    ClickGenerator g = generator();
    ClickstreamTruth.Score stitching = ClickstreamTruth.stitching(expected.identities, g.plantedIdentities(EVENTS));
    ClickstreamTruth.Score bots = ClickstreamTruth.bots("bot sessions (rules and test)",
        new ArrayList<>(expected.sessions.values()), g.plantedBotCookies(EVENTS));
    System.out.println("clickstream quality, seed 7: " + stitching + "; " + bots);
    assertTrue(stitching.precision() >= 0.95 && stitching.recall() >= 0.95, stitching.toString());
    assertTrue(bots.precision() >= 0.95 && bots.recall() >= 0.95, bots.toString());

    // No IP leaves whole, and no e-mail address or phone number survives outside the dead letters.
    assertTrue(tables.count("SELECT count(*) FROM click_events WHERE search_text LIKE '%[email]%'") > 0);
    assertTrue(tables.count("SELECT count(*) FROM click_events WHERE search_text LIKE '%[phone]%'") > 0);
    assertEquals(0, tables.count("SELECT count(*) FROM click_events WHERE search_text LIKE '%@%'"
        + " OR regexp_matches(search_text, '[0-9]{4}') OR NOT ip LIKE '%.0'"));
  }

  /** Each half of bot detection alone, next to the user-agent rule, finds the fast bots. */
  @Test
  public void theRateRuleAndTheStatisticalTestEachFindTheFastBots() {
    ClickGenerator g = generator();
    Clickstream.Settings rulesOnly = new Clickstream.Settings();
    rulesOnly.botSigmas = 1e9; // the statistical test never fires
    Clickstream.Settings testOnly = new Clickstream.Settings();
    testOnly.botMaxRatePerMinute = 1e9; // the rate rule never fires
    Map<String, Clickstream.Settings> variants = new TreeMap<>(Map.of(
        "user-agent and rate rules", rulesOnly, "user-agent rule and statistical test", testOnly));
    for (Map.Entry<String, Clickstream.Settings> v : variants.entrySet()) {
      List<Row> sessions = new ArrayList<>(model(v.getValue()).sessions.values());
      String disabled = v.getValue() == rulesOnly ? "outlier" : "rate";
      assertTrue(sessions.stream().noneMatch(s -> disabled.equals(s.getString("bot_reason"))), disabled + " is off");
      ClickstreamTruth.Score score = ClickstreamTruth.bots(v.getKey(), sessions, g.plantedBotCookies(EVENTS));
      System.out.println("clickstream quality, seed 7: " + score);
      assertTrue(score.precision() >= 0.95 && score.recall() >= 0.95, score.toString());
    }
    // Why the default is 2: at 3 deviations the bots inflate the deviation past themselves.
    Clickstream.Settings threeSigmas = new Clickstream.Settings();
    threeSigmas.botMaxRatePerMinute = 1e9;
    threeSigmas.botSigmas = 3;
    ClickstreamTruth.Score masked = ClickstreamTruth.bots("user-agent rule and statistical test at 3 sigmas",
        new ArrayList<>(model(threeSigmas).sessions.values()), g.plantedBotCookies(EVENTS));
    System.out.println("clickstream quality, seed 7: " + masked);
    assertTrue(masked.recall() < 0.95, masked.toString());
  }

  @Test
  public void flinkBackfillOfADateRangeIntoPostgresMatchesTheModel() throws Exception {
    Clickstream.Settings range = new Clickstream.Settings();
    range.fromMillis = java.time.Instant.parse("2026-03-07T23:30:00Z").toEpochMilli();
    range.toMillis = java.time.Instant.parse("2026-03-08T01:30:00Z").toEpochMilli();
    ClickstreamModel.Result expected = model(range);
    assertTrue(expected.filtered > 0, "the range leaves events out");
    String db = Postgres.newDatabase("clicks");
    Path history = history();
    Path products = productsFile();
    Tables tables = Tables.postgres(db);
    PipelineResult result = run("FlinkRunner", history, products, Postgres.sinkUri(db),
        "--from=2026-03-07T23:30:00Z", "--to=2026-03-08T01:30:00Z");
    assertMatchesModel(tables, expected);
    assertConserved(result, expected);

    // A replay of the same history upserts the same rows: nothing doubles, nothing changes. (On
    // Flink: the sinks' upserts are the same code on every runner, and the Direct replay cost CI 35 s.)
    List<String> before = tables.dump("SELECT * FROM sessions ORDER BY session_id");
    List<String> identitiesBefore = tables.dump("SELECT * FROM identity_map ORDER BY identity");
    run("FlinkRunner", history, products, Postgres.sinkUri(db), "--from=2026-03-07T23:30:00Z",
        "--to=2026-03-08T01:30:00Z");
    assertEquals(before, tables.dump("SELECT * FROM sessions ORDER BY session_id"));
    assertEquals(identitiesBefore, tables.dump("SELECT * FROM identity_map ORDER BY identity"));
  }

  private static void assertRejected(String fragment, String... args) {
    OptionChecks.assertRejected(ClickstreamBackfillPipeline.PIPELINE, fragment, args);
  }

  @Test
  public void badOptionsAreRejectedWithMessagesThatSayTheFix() throws Exception {
    assertRejected("use DirectRunner or FlinkRunner", "--runner=SparkRunner");
    assertRejected("is not one of truncate, hmac", "--ipPrivacy=blur");
    assertRejected("needs a key of at least 16 bytes in the environment variable MESHFLOW_TEST_NO_SUCH_KEY",
        "--ipPrivacy=hmac", "--ipKeyEnv=MESHFLOW_TEST_NO_SUCH_KEY");
    assertRejected("--from=yesterday is neither a date", "--from=yesterday");
    assertRejected("from must be before to", "--from=2026-03-08", "--to=2026-03-07");
    assertRejected("--sessionGap=soon is not a duration", "--sessionGap=soon");
    assertRejected("k at least 1", "--anonymityK=0");
    Path history = TempFiles.newFile(tmp, "history.jsonl");
    assertRejected("--products=<JSON lines file>", "--clicks=file:" + history);
    Path badProducts = TempFiles.newFile(tmp, "bad.jsonl");
    Files.writeString(badProducts, "{\"product_id\":\"sku-1\",\"price\":\"free\"}\n");
    assertRejected("products line 1 needs a string product_id", "--products=" + badProducts);
  }
}
