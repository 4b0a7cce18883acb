package dev.meshflow.pipelines.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.pipelines.clickstream.ClickstreamBackfillTest;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.OptionChecks;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.anomaly.AnomaliesTable;
import dev.meshflow.transforms.anomaly.KMeansModel;
import dev.meshflow.transforms.anomaly.KMeansTrainer;
import dev.meshflow.transforms.anomaly.ScoreSessions;
import dev.meshflow.transforms.anomaly.TrainModels;
import dev.meshflow.transforms.anomaly.model.AnomalyModel;
import dev.meshflow.transforms.clickstream.Clickstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anomaly-model} then {@code anomaly-scoring}, in batch over shuffled history files with
 * duplicates, late and malformed lines, on the Direct and Flink runners: the published models
 * equal {@link AnomalyModel}'s to the last bit, the anomalies table equals its scoring, counts are
 * conserved, and a replay (on Flink) changes nothing. Quality against the planted anomalies is
 * measured on the model (which the runners equal) over a larger seeded input.
 */
public class AnomalyDetectionTest {
  static final long EVENTS = 24_000; // 3,000 visits, about 5 hours
  static final String GENERATOR = generator(EVENTS);

  /**
   * What an end-to-end run covers: on Flink the full history with two-hour windows; on Direct,
   * whose per-bundle cost makes it slow, the first 6,000 events (about 80 minutes) with one-hour
   * windows every half hour, which still give 4 models, 16 anomalies and unscored sessions.
   */
  private record Scale(long events, Duration window, Duration every) {
    String generator() {
      return AnomalyDetectionTest.generator(events);
    }

    List<String> windowArgs() {
      return List.of("--trainWindow=" + window.getStandardMinutes() + "m", "--trainEvery=" + every.getStandardMinutes() + "m");
    }
  }

  private static final Scale FULL = new Scale(EVENTS, Duration.standardHours(2), Duration.standardHours(1));
  private static final Scale SMALL = new Scale(6_000, Duration.standardHours(1), Duration.standardMinutes(30));

  static String generator(long events) {
    return "generator:clicks?events=" + events
        + "&seed=5&persons=2000&anomalies=0.015&duplicates=0.02&malformed=0.02&late=0.005";
  }

  @TempDir Path tmp;

  /** The clickstream model's sessions for a generator URI. */
  static Collection<Row> sessions(String uri, long events) {
    return ClickstreamBackfillTest.model(uri, events, new Clickstream.Settings()).sessions.values();
  }

  private PipelineResult run(boolean model, String runner, String... args) {
    String[] all = RunnerArgs.asTheLauncherRuns(runner, args);
    PipelineResult result = model
        ? AnomalyModelPipeline.run(PipelineOptionsFactory.fromArgs(all).as(AnomalyModelPipeline.Options.class))
        : AnomalyScoringPipeline.run(PipelineOptionsFactory.fromArgs(all).as(AnomalyScoringPipeline.Options.class));
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    return result;
  }

  private String[] args(Scale scale, Path history, Path products, Path models, String sink) {
    List<String> args = new ArrayList<>(List.of("--clicks=file:" + history + "/part-*",
        "--products=" + products, "--models=" + models, "--sink=" + sink));
    args.addAll(scale.windowArgs());
    return args.toArray(new String[0]);
  }

  static List<String> modelFiles(Path models) throws Exception {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(models)) {
      for (Path f : (Iterable<Path>) files.sorted()::iterator) {
        out.add(f.getFileName() + " " + Files.readString(f));
      }
    }
    return out;
  }

  static List<String> expectedModelFiles(List<KMeansModel> models) {
    List<String> out = new ArrayList<>();
    for (KMeansModel m : models) {
      out.add(m.id + ".json " + m.toJson());
    }
    return out;
  }

  /** Scores as integers in millionths, so each database's float formatting does not matter. */
  static List<String> renderAnomalies(Collection<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(r.getString("session_id") + "|" + r.getString("model_id") + "|" + r.getInt32("nearest_cluster")
          + "|" + Math.round(r.getDouble("distance") * 1e6) + "|" + Math.round(r.getDouble("threshold") * 1e6)
          + "|" + Math.round(r.getDouble("score") * 1e6) + "|" + r.getString("features"));
    }
    return out;
  }

  static List<String> anomaliesIn(Tables tables) throws Exception {
    return tables.dump("SELECT session_id, model_id, nearest_cluster, CAST(round(distance * 1000000) AS BIGINT),"
        + " CAST(round(threshold * 1000000) AS BIGINT), CAST(round(score * 1000000) AS BIGINT), features FROM "
        + AnomaliesTable.TABLE);
  }

  private void runsMatchTheModel(Scale scale, String runner, String sink, Tables tables, boolean replay)
      throws Exception {
    Collection<Row> sessions = sessions(scale.generator(), scale.events());
    List<KMeansModel> expectedModels = AnomalyModel.train(sessions, scale.window(), scale.every(),
        new KMeansTrainer.Settings());
    AnomalyModel.Scored expected = AnomalyModel.score(sessions, expectedModels);
    assertTrue(expectedModels.size() >= 4 && expected.anomalies.size() > 10 && expected.unscored > 0, "several models, anomalies and unscored sessions are expected");

    Path history = TempFiles.newFolder(tmp, "history");
    GeneratedInput.writeShuffled(scale.generator(), scale.events(), history, 3, 11);
    Path products = TempFiles.newFile(tmp, "products.jsonl");
    Files.writeString(products, ((ClickGenerator) GeneratedInput.generator(scale.generator())).productsJsonLines());
    Path models = tmp.resolve("models");

    PipelineResult trained = run(true, runner, args(scale, history, products, models, sink));
    Diff.assertSameLines("models", expectedModelFiles(expectedModels), modelFiles(models));
    RunCounts trainCounts = RunCounts.of(trained);
    assertEquals(expectedModels.size(), trainCounts.get(TrainModels.MODELS_TRAINED));
    assertTrue(trainCounts.conserved(Conservation.aggregated()), "read = valid + filtered + duplicates + dead letters: " + trainCounts);

    PipelineResult scored = run(false, runner, args(scale, history, products, models, sink));
    Diff.assertSameLines("anomalies", renderAnomalies(expected.anomalies.values()), anomaliesIn(tables));
    RunCounts counts = RunCounts.of(scored);
    assertEquals(expected.scored, counts.get(ScoreSessions.SCORED));
    assertEquals(expected.unscored, counts.get(ScoreSessions.UNSCORED));
    assertEquals(expected.bots, counts.get(ScoreSessions.BOTS_SKIPPED));
    assertEquals(expected.anomalies.size(), counts.get(ScoreSessions.ANOMALIES));
    assertTrue(counts.conserved(Conservation.aggregated()), "read = valid + filtered + duplicates + dead letters: " + counts);

    if (!replay) {
      return;
    }
    // Retraining and rescoring the same history replaces files and rows; nothing doubles.
    run(true, runner, args(scale, history, products, models, sink));
    Diff.assertSameLines("models after a replay", expectedModelFiles(expectedModels), modelFiles(models));
    run(false, runner, args(scale, history, products, models, sink));
    Diff.assertSameLines("anomalies after a replay", renderAnomalies(expected.anomalies.values()), anomaliesIn(tables));
  }

  /**
   * The smaller scale, once, into DuckDB: the replay and the full history run on Flink below, and
   * AnomalyTransformsTest holds both transforms to the model on the full history under the Direct
   * runner's checks. (The full history four times on Direct took 88 s of CI's time.)
   */
  @Test
  public void directRunsMatchTheModel() throws Exception {
    String db = tmp + "/anomalies.duckdb";
    runsMatchTheModel(SMALL, "DirectRunner", "duckdb:" + db, Tables.duckDb(db), false);
  }

  @Test
  public void flinkRunsIntoPostgresMatchTheModelAndAReplayChangesNothing() throws Exception {
    String db = Postgres.newDatabase("anomalies");
    runsMatchTheModel(FULL, "FlinkRunner", Postgres.sinkUri(db), Tables.postgres(db), true);
  }

  private static void assertRejected(String fragment, String... args) {
    OptionChecks.assertRejected(AnomalyScoringPipeline.PIPELINE, fragment, args);
  }

  @Test
  public void badOptionsAreRejectedWithMessagesThatSayTheFix() throws Exception {
    Path models = TempFiles.newFolder(tmp, "no-models");
    assertRejected("holds no model (kmeans-*.json); run anomaly-model first", "--models=" + models);
    assertRejected("must be a positive multiple of --trainEvery=1h", "--trainWindow=90m");
    assertRejected("the quantile must be in (0, 1]", "--thresholdQuantile=1.5");
    assertRejected("need clusters <= minimum sessions", "--clusters=100", "--minTrainingSessions=50");
    assertRejected("use DirectRunner or FlinkRunner", "--runner=SparkRunner");
    Path products = TempFiles.newFile(tmp, "p.jsonl");
    Files.writeString(products, ((ClickGenerator) GeneratedInput.generator(GENERATOR)).productsJsonLines());
    assertRejected("--modelsRefresh=0s to read it once", "--runner=FlinkRunner", "--streaming",
        "--clicks=kafka://localhost:9092/clicks", "--products=" + products);
  }
}
