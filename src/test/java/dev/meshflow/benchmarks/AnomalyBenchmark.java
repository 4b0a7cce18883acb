package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.duckdb.DuckDbDatabases;
import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.launcher.RunnerDefaults;
import dev.meshflow.pipelines.anomaly.AnomalyModelPipeline;
import dev.meshflow.pipelines.anomaly.AnomalyScoringPipeline;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.anomaly.KMeansModel;
import dev.meshflow.transforms.anomaly.KMeansTrainer;
import dev.meshflow.transforms.anomaly.ScoreSessions;
import dev.meshflow.transforms.anomaly.TrainModels;
import dev.meshflow.transforms.anomaly.model.AnomalyModel;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.Products;
import dev.meshflow.transforms.clickstream.model.ClickstreamModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * anomaly-model and anomaly-scoring in batch on the FlinkRunner against the plain-Java floor: a
 * plain read of the same files, ClickstreamModel for the sessions, then AnomalyModel's training or
 * scoring, in the same JVM and run. Run with
 * {@code mvn -B -Pbenchmarks test -Dtest=AnomalyBenchmark [-Dbench.anomaly.events=64000]}; the
 * tables are printed and written to target/benchmarks/anomaly-*.md.
 */
public class AnomalyBenchmark {
  private static final long EVENTS = Long.getLong("bench.anomaly.events", 64_000);
  private static final String GENERATOR = "generator:clicks?events=" + EVENTS
      + "&seed=11&persons=2000&anomalies=0.015";

  @Test
  public void flinkAgainstThePlainJavaFloor() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-anomaly-bench");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, dir, 4, 1);
    Path products = dir.resolve("products.jsonl");
    Files.writeString(products, ((ClickGenerator) GeneratedInput.generator(GENERATOR)).productsJsonLines());

    // Floors: best of two, so the JIT is warm as it is for the engine that follows.
    double trainFloor = Double.MAX_VALUE;
    double scoreFloor = Double.MAX_VALUE;
    List<KMeansModel> models = null;
    AnomalyModel.Scored scored = null;
    for (int i = 0; i < 2; i++) {
      long t0 = System.nanoTime();
      ClickstreamModel.Result sessions = ClickstreamModel.run(ClickstreamBenchmark.readAll(dir),
          Products.parse(Files.readString(products)), new Clickstream.Settings());
      long t1 = System.nanoTime();
      models = AnomalyModel.train(sessions.sessions.values(), Duration.standardHours(4), Duration.standardHours(1),
          new KMeansTrainer.Settings());
      long t2 = System.nanoTime();
      scored = AnomalyModel.score(sessions.sessions.values(), models);
      long t3 = System.nanoTime();
      trainFloor = Math.min(trainFloor, (t2 - t0) / 1e9);
      scoreFloor = Math.min(scoreFloor, (t1 - t0 + t3 - t2) / 1e9);
    }

    Path modelDir = dir.resolve("models");
    String note = "Input: " + String.format("%,d", EVENTS) + " click events in 4 files (1 gzipped), seed 11, "
        + models.size() + " models (4 h windows every hour), " + scored.anomalies.size() + " anomalies; "
        + BenchmarkReport.machine();
    BenchmarkReport.VersusFloor training =
        new BenchmarkReport.VersusFloor(EVENTS, "plain-Java loop (read + ClickstreamModel + AnomalyModel.train)", trainFloor);
    PipelineResult trained = run(true, dir, products, modelDir, training);
    assertEquals(models.size(),
        RunCounts.of(trained).get(TrainModels.MODELS_TRAINED), "the benchmark must compute the right answer");
    training.publish("anomaly-model.md", note);

    BenchmarkReport.VersusFloor scoring =
        new BenchmarkReport.VersusFloor(EVENTS, "plain-Java loop (read + ClickstreamModel + AnomalyModel.score)", scoreFloor);
    PipelineResult result = run(false, dir, products, modelDir, scoring);
    assertEquals(scored.anomalies.size(),
        RunCounts.of(result).get(ScoreSessions.ANOMALIES), "the benchmark must compute the right answer");
    scoring.publish("anomaly-scoring.md", note);
  }

  private static PipelineResult run(boolean train, Path dir, Path products, Path models,
      BenchmarkReport.VersusFloor table) {
    String db = dir.resolve("anomalies.duckdb").toString();
    List<String> args = RunnerDefaults.apply(List.of("--runner=FlinkRunner", "--clicks=file:" + dir + "/part-*",
        "--products=" + products, "--models=" + models, "--sink=duckdb:" + db, "--trainWindow=4h", "--trainEvery=1h"));
    String[] a = args.toArray(new String[0]);
    // Best of two, as for the floor: the first Flink job in a JVM also pays for starting Flink.
    double best = Double.MAX_VALUE;
    PipelineResult result = null;
    for (int i = 0; i < 2; i++) {
      long t0 = System.nanoTime();
      result = train
          ? AnomalyModelPipeline.run(PipelineOptionsFactory.fromArgs(a).as(AnomalyModelPipeline.Options.class))
          : AnomalyScoringPipeline.run(PipelineOptionsFactory.fromArgs(a).as(AnomalyScoringPipeline.Options.class));
      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    table.add("FlinkRunner (best of two)", best);
    DuckDbDatabases.close(db);
    return result;
  }
}
