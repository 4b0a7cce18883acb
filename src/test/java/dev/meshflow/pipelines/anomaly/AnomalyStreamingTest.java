package dev.meshflow.pipelines.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.pipelines.clickstream.ClickstreamStreamingKafkaTest;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.JobProgress;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.anomaly.KMeansModel;
import dev.meshflow.transforms.anomaly.KMeansTrainer;
import dev.meshflow.transforms.anomaly.SessionFeatures;
import dev.meshflow.transforms.anomaly.model.AnomalyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anomaly jobs in streaming mode from a real Kafka topic:
 *
 * <ul>
 *   <li>on the FlinkRunner, the model job publishes the very models of the batch model, and the
 *       scoring job (models read at start) writes the very anomalies: the same code in both modes;
 *   <li>on the DirectRunner, the scoring job picks up a model published while it runs (the side
 *       input is re-read every second) and scores later sessions with it, without a restart.
 * </ul>
 */
public class AnomalyStreamingTest {
  private static final long T0 = java.time.Instant.parse("2026-03-10T00:00:00Z").toEpochMilli();
  private static final long HOUR = 3_600_000L;

  @TempDir Path tmp;

  private Path products(String uri) throws Exception {
    Path products = tmp.resolve("products.jsonl");
    Files.writeString(products, ((ClickGenerator) GeneratedInput.generator(uri)).productsJsonLines());
    return products;
  }

  @Test
  public void flinkStreamingFromKafkaPublishesTheBatchModelsAndAnomalies() throws Exception {
    String uri = AnomalyDetectionTest.GENERATOR;
    Collection<Row> sessions = AnomalyDetectionTest.sessions(uri, AnomalyDetectionTest.EVENTS);
    List<KMeansModel> expectedModels = AnomalyModel.train(sessions, org.joda.time.Duration.standardHours(2),
        org.joda.time.Duration.standardHours(1), new KMeansTrainer.Settings());
    AnomalyModel.Scored expected = AnomalyModel.score(sessions, expectedModels);
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "clicks-anomaly-flink";
    kafka.createTopic(topic, 4);
    ClickstreamStreamingKafkaTest.produceKeyedByCookie(kafka, topic,
        (ClickGenerator) GeneratedInput.generator(uri), AnomalyDetectionTest.EVENTS);
    Path models = tmp.resolve("models");
    String db = Postgres.newDatabase("anomalies_streaming");
    String[] args = RunnerArgs.forRunner("FlinkRunner",
        // The watermark trails each partition by a day: nothing is late, so live equals batch.
        "--clicks=kafka://" + kafka.bootstrap() + "/" + topic + "?maxDelaySeconds=86400&idleSeconds=3600",
        "--products=" + products(uri), "--models=" + models, "--sink=" + Postgres.sinkUri(db),
        "--trainWindow=2h", "--trainEvery=1h", "--modelsRefresh=0s", "--streaming=true", "--runFor=PT5S");

    PipelineResult trained = AnomalyModelPipeline.run(
        PipelineOptionsFactory.fromArgs(args).as(AnomalyModelPipeline.Options.class));
    assertEquals(PipelineResult.State.DONE, trained.waitUntilFinish());
    Diff.assertSameLines("models", AnomalyDetectionTest.expectedModelFiles(expectedModels),
        AnomalyDetectionTest.modelFiles(models));

    PipelineResult scored = AnomalyScoringPipeline.run(
        PipelineOptionsFactory.fromArgs(args).as(AnomalyScoringPipeline.Options.class));
    assertEquals(PipelineResult.State.DONE, scored.waitUntilFinish());
    Diff.assertSameLines("anomalies", AnomalyDetectionTest.renderAnomalies(expected.anomalies.values()),
        AnomalyDetectionTest.anomaliesIn(Tables.postgres(db)));
  }

  /** A model of the reference sessions, named for a window ending at {@code endMillis}. */
  private static KMeansModel modelEndingAt(List<KMeansTrainer.Sample> samples, long endMillis) {
    return KMeansTrainer.train(samples, endMillis - 2 * HOUR, endMillis, new KMeansTrainer.Settings());
  }

  /** The job's error if it failed; its counters otherwise, so a timeout shows how far it got. */

  @Test
  public void directScoringPicksUpANewModelWhileRunning() throws Exception {
    List<KMeansTrainer.Sample> samples = new ArrayList<>();
    for (Row s : AnomalyDetectionTest.sessions(AnomalyDetectionTest.GENERATOR, AnomalyDetectionTest.EVENTS)) {
      if (!s.getBoolean("is_bot")) {
        samples.add(new KMeansTrainer.Sample(s.getString("session_id"), SessionFeatures.of(s)));
      }
    }
    long swapAt = T0 + 40 * 60_000L;
    KMeansModel first = modelEndingAt(samples, T0);
    KMeansModel second = modelEndingAt(samples, swapAt); // usable for sessions from T0 + 40 min
    Path models = TempFiles.newFolder(tmp, "models");
    Files.writeString(models.resolve(first.id + ".json"), first.toJson());

    // A live, endless shop from event time T0, a visit every 30 s, with short session gaps and bot
    // statistics windows, so the watermark closes sessions within seconds of wall time even at the
    // checked Direct runner's pace. (A capped generator would be read as a whole, at the end.)
    String live = "generator:clicks?rate=100&visitSeconds=30&seed=100&persons=2000&anomalies=0.1&start="
        + java.time.Instant.ofEpochMilli(T0);
    String db = Postgres.newDatabase("anomalies_hot_swap");
    Tables tables = Tables.postgres(db);
    PipelineResult result = AnomalyScoringPipeline.run(PipelineOptionsFactory.fromArgs(RunnerArgs.asTheLauncherRuns(
        "DirectRunner", "--clicks=" + live, "--products=" + products(live + "&events=1"), "--models=" + models,
        "--sink=" + Postgres.sinkUri(db), "--modelsRefresh=1s", "--orderingInterval=1s", "--sessionGap=5m",
        "--botStatsWindow=10m", "--streaming=true"))
        .as(AnomalyScoringPipeline.Options.class));
    String start = tables.epochMillis("start_ts");
    try {
      List<String> early = Await.until("anomalies scored with the first model", Duration.ofMinutes(3),
          () -> JobProgress.rows(result, tables, "SELECT DISTINCT model_id FROM anomalies"), ids -> !ids.isEmpty());
      assertEquals(List.of(first.id), early, "while it is the only model");

      // Publish a newer model while the job runs, as anomaly-model does: whole, by a rename.
      Path temp = models.resolve("." + second.id + ".tmp");
      Files.writeString(temp, second.toJson());
      Files.move(temp, models.resolve(second.id + ".json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Await.until("anomalies scored with the new model", Duration.ofMinutes(3),
          () -> JobProgress.rows(result, tables, "SELECT DISTINCT model_id FROM anomalies"), ids -> ids.contains(second.id));
    } finally {
      result.cancel();
    }
    System.out.println("anomaly hot swap: " + tables.dump("SELECT model_id, count(*), min(" + start + "), max("
        + start + ") FROM anomalies GROUP BY model_id ORDER BY model_id"));
    assertEquals(List.of(first.id), tables.dump("SELECT DISTINCT model_id FROM anomalies WHERE " + start + " < " + swapAt), "sessions that started before the new model's window ended keep the old model");
    assertEquals(0,
        tables.count("SELECT count(*) FROM anomalies WHERE model_id = '" + second.id + "' AND " + start + " < " + swapAt), "the new model scores only sessions that started after its window ended");
  }
}
