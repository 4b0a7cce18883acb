package dev.meshflow.pipelines.skips;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.OptionChecks;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.skips.SkipModelCard;
import dev.meshflow.transforms.skips.SkipTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code skip-model} then {@code skip-scoring}, in batch over shuffled history files with
 * duplicates, disorder and malformed lines, on Direct (DuckDB) and Flink (PostgreSQL): the model
 * cards equal the reference's to the last bit, the evaluation table equals the reference's scoring
 * of the served model, the windows after the drift trigger retraining, counts are conserved, and a
 * replay (on Flink) changes nothing.
 */
public class SkipLoopBatchTest {
  static final long EVENTS = 24_000; // 12,000 listens over 40 minutes; tastes turn at 20
  static final String GENERATOR = "generator:interactions?events=" + EVENTS + "&seed=5&eventsPerSecond=10"
      + "&taste=1&driftAfterMinutes=20&duplicates=0.02&malformed=0.01&outOfOrder=0.1&late=0";
  static final long PERIOD = 5 * 60_000;
  static final String[] WINDOWS = {"--trainWindow=10m", "--trainEvery=5m", "--outcomeTimeout=30s"};
  /** The model of the 10 minutes before the drift, which the scoring run serves. */
  static final String PRE_DRIFT = "skip-20260307T232000";

  @TempDir Path tmp;

  private static PipelineResult run(boolean model, String runner, List<String> args) {
    String[] all = RunnerArgs.asTheLauncherRuns(runner, args.toArray(new String[0]));
    PipelineResult result = model
        ? SkipModelPipeline.run(PipelineOptionsFactory.fromArgs(all).as(SkipModelPipeline.Options.class))
        : SkipScoringPipeline.run(PipelineOptionsFactory.fromArgs(all).as(SkipScoringPipeline.Options.class));
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    return result;
  }

  private static List<String> args(Path history, Path models, String sink, String... more) {
    List<String> args = new ArrayList<>(List.of("--listens=file:" + history + "/part-*", "--models=" + models,
        "--sink=" + sink));
    args.addAll(List.of(WINDOWS));
    args.addAll(List.of(more));
    return args;
  }

  static Map<String, String> cards(Path models) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(models)) {
      for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".json"))::iterator) {
        String name = f.getFileName().toString();
        out.put(name.substring(0, name.length() - ".json".length()), Files.readString(f));
      }
    }
    return out;
  }

  private void runsMatchTheReference(String runner, String sink, Tables tables, boolean replay) throws Exception {
    SkipLoopReference reference = new SkipLoopReference(GENERATOR, EVENTS, 30_000);
    Map<String, String> expectedCards = reference.cards(10 * 60_000, PERIOD, 500, new SkipTrainer(SkipTrainer.Kind.LOGISTIC, 5, 1));
    assertTrue(expectedCards.size() >= 6 && expectedCards.containsKey(PRE_DRIFT), "models expected: " + expectedCards.keySet());

    long t0 = System.nanoTime();
    Path history = TempFiles.newFolder(tmp, "history");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, history, 3, 11);
    Path models = tmp.resolve("models");
    long t1 = System.nanoTime();
    PipelineResult trained = run(true, runner, args(history, models, sink));
    long t2 = System.nanoTime();
    Diff.assertSameEntries("model cards", expectedCards, cards(models));
    RunCounts trainCounts = RunCounts.of(trained);
    assertTrue(trainCounts.conserved(Conservation.aggregated()), "read = valid + duplicates + dead letters: " + trainCounts);

    // Serve the pre-drift model over the whole history: quality falls after the drift, which
    // triggers retraining on the windows that ended there.
    Path serving = TempFiles.newFolder(tmp, "serving");
    for (String ext : List.of(".onnx", ".json")) {
      Files.copy(models.resolve(PRE_DRIFT + ext), serving.resolve(PRE_DRIFT + ext));
    }
    SkipModelCard served = SkipModelCard.fromJson(Files.readString(serving.resolve(PRE_DRIFT + ".json")));
    Map<Long, String> expectedEvaluation = reference.evaluation(serving.resolve(PRE_DRIFT + ".onnx"), served, PERIOD);
    long t3 = System.nanoTime();
    PipelineResult scored = run(false, runner, args(history, serving, sink));
    System.out.printf("%s: reference %.1f s, skip-model %.1f s, skip-scoring %.1f s%n", runner,
        (t1 - t0) / 1e9, (t2 - t1) / 1e9, (System.nanoTime() - t3) / 1e9);
    Map<Long, String> evaluation = evaluation(tables);
    Diff.assertSameEntries("model_evaluation", str(expectedEvaluation), str(evaluation));
    RunCounts counts = RunCounts.of(scored);
    assertTrue(counts.conserved(Conservation.aggregated()), "read = valid + duplicates + dead letters: " + counts);
    assertEquals(reference.labelled.size(), tables.count("SELECT count(*) FROM predictions"), "every listen predicted");

    List<String> verdicts = tables.dump("SELECT " + tables.epochMillis("window_start") + ", round(CAST(auc AS numeric), 3),"
        + " triggers_retrain, predictions FROM model_evaluation WHERE model_id = '" + PRE_DRIFT + "' ORDER BY 1");
    System.out.println("skip-scoring " + runner + " (window start ms | AUC | retrain): " + verdicts);
    long drift = java.time.Instant.parse("2026-03-07T23:20:00Z").toEpochMilli();
    for (String v : verdicts) {
      String[] f = v.split("\\|");
      boolean after = Long.parseLong(f[0]) >= drift;
      double auc = Double.parseDouble(f[1]);
      if (Long.parseLong(f[3]) < 200) {
        assertEquals("false", f[2], "a window of few plays never triggers: " + v);
      } else {
        assertTrue(after ? auc < 0.4 && f[2].equals("true") : auc > 0.75 && f[2].equals("false"), v);
      }
    }
    List<String> retrained = tables.dump("SELECT model_id, reason FROM skip_models WHERE reason LIKE '%auc%' ORDER BY 1");
    assertTrue(retrained.size() >= 3, "retrained on triggered windows: " + retrained);
    assertTrue(cards(serving).size() > 1, "retrained models are published: " + cards(serving).keySet());
    long actions = tables.count("SELECT count(*) FROM actions");
    assertEquals(tables.count("SELECT count(*) FROM predictions WHERE p_skip >= 0.8"), actions, "one action per likely skip");
    assertTrue(actions > 100, "some actions: " + actions);

    if (!replay) {
      return;
    }
    // A replay replaces every row and file; nothing doubles.
    run(true, runner, args(history, models, sink));
    Diff.assertSameEntries("model cards after a replay", expectedCards, cards(models));
    assertEquals(reference.labelled.size(), tables.count("SELECT count(*) FROM predictions"));
    assertEquals(actions, tables.count("SELECT count(*) FROM actions"));
  }

  private static Map<Long, String> evaluation(Tables tables) throws Exception {
    Map<Long, String> out = new TreeMap<>();
    for (String line : tables.dump("SELECT " + tables.epochMillis("window_start") + ", predictions,"
        + " CAST(round(auc * 1000000) AS BIGINT), CAST(round(log_loss * 1000000) AS BIGINT),"
        + " CAST(round(max_psi * 1000000) AS BIGINT) FROM model_evaluation WHERE model_id = '" + PRE_DRIFT + "'")) {
      String[] f = line.split("\\|", 2);
      out.put(Long.parseLong(f[0]), f[1]);
    }
    return out;
  }

  private static Map<String, String> str(Map<Long, String> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(java.time.Instant.ofEpochMilli(k).toString(), v));
    return out;
  }

  /** A scheduled run: one model, the reference's for the window that ends after the newest play. */
  @Test
  public void latestWindowOnlyTrainsJustTheNewestWindow() throws Exception {
    SkipLoopReference reference = new SkipLoopReference(GENERATOR, EVENTS, 30_000);
    Map<String, String> all = reference.cards(10 * 60_000, PERIOD, 500, new SkipTrainer(SkipTrainer.Kind.LOGISTIC, 5, 1));
    long newest = reference.labelled.stream().mapToLong(l -> l.value.tsMillis).max().orElseThrow();
    String latest = SkipModelCard.idFor(Math.floorDiv(newest, PERIOD) * PERIOD + PERIOD);
    assertTrue(all.containsKey(latest), "the reference trains the newest window: " + all.keySet());
    Path history = TempFiles.newFolder(tmp, "history");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, history, 3, 11);
    Path models = tmp.resolve("latest-models");
    String db = tmp + "/latest.duckdb";
    run(true, "FlinkRunner", args(history, models, "duckdb:" + db, "--latestWindowOnly=true")); // 3 s; 8 on Direct
    Diff.assertSameEntries("the one model card", Map.of(latest, all.get(latest)), cards(models));
    OptionChecks.assertRejected(SkipModelPipeline.PIPELINE,
        "--latestWindowOnly is for batch runs", "--latestWindowOnly=true", "--streaming=true",
        "--models=" + models, "--listens=generator:interactions?taste=1");
  }

  /** Once, into DuckDB; the replay runs on Flink below (on Direct it cost 8 s more). */
  @Test
  public void directRunsMatchTheReference() throws Exception {
    String db = tmp + "/skips.duckdb";
    runsMatchTheReference("DirectRunner", "duckdb:" + db, Tables.duckDb(db), false);
  }

  @Test
  public void flinkRunsIntoPostgresMatchTheReferenceAndAReplayChangesNothing() throws Exception {
    String db = Postgres.newDatabase("skips");
    runsMatchTheReference("FlinkRunner", Postgres.sinkUri(db), Tables.postgres(db), true);
  }

  private static void assertRejected(String fragment, String... args) {
    OptionChecks.assertRejected(SkipScoringPipeline.PIPELINE, fragment, args);
  }

  @Test
  public void badOptionsAreRejectedWithMessagesThatSayTheFix() throws Exception {
    Path none = TempFiles.newFolder(tmp, "no-models");
    assertRejected("holds no skip-*.onnx model; run skip-model first", "--models=" + none);
    assertRejected("must be a positive multiple of --trainEvery=10m", "--trainWindow=25m", "--models=" + none);
    assertRejected("use logistic or fm", "--modelKind=tree", "--models=" + none);
    assertRejected("shorter than --trainEvery", "--outcomeTimeout=1h", "--models=" + none);
    assertRejected("use DirectRunner or FlinkRunner", "--runner=SparkRunner", "--models=" + none);
    assertRejected("are probabilities", "--minAuc=2", "--models=" + none);
    // A model from a version with other features (43 before the item features) is refused up front.
    Path old = TempFiles.newFolder(tmp, "old-models");
    Files.write(old.resolve("skip-20260307T231000.onnx"), new byte[] {1});
    Files.writeString(old.resolve("skip-20260307T231000.json"), "{\"features\": ["
        + String.join(",", java.util.Collections.nCopies(43, "{\"name\": \"f\"}")) + "]}");
    assertRejected("does not fit this version's features (the card lists 43 features, this version computes 45);"
        + " train new models with ./meshflow skip-model", "--models=" + old);
  }
}
