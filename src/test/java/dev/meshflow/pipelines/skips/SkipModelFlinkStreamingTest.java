package dev.meshflow.pipelines.skips;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import dev.meshflow.transforms.skips.SkipTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code skip-model} in streaming on the FlinkRunner, from a real Kafka topic of four partitions:
 * the item pass and the user pass put every event in order under Flink's watermarks and timers,
 * and the job publishes the very model cards the batch reference computes, bit for bit. The
 * watermark trails each partition by a day, so nothing is late and live must equal batch.
 */
public class SkipModelFlinkStreamingTest {
  @TempDir Path tmp;

  @Test
  public void flinkStreamingFromKafkaPublishesTheBatchModels() throws Exception {
    SkipLoopReference reference = new SkipLoopReference(SkipLoopBatchTest.GENERATOR, SkipLoopBatchTest.EVENTS, 30_000);
    Map<String, String> expected = reference.cards(10 * 60_000, SkipLoopBatchTest.PERIOD, 500,
        new SkipTrainer(SkipTrainer.Kind.LOGISTIC, 5, 1));
    assertTrue(expected.size() >= 6, "models expected: " + expected.keySet());

    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "skip-listens-flink";
    kafka.createTopic(topic, 4);
    List<byte[]> values = new ArrayList<>();
    for (InteractionAnalyticsModel.Record r : GeneratedInput.records(SkipLoopBatchTest.GENERATOR, SkipLoopBatchTest.EVENTS)) {
      values.add(r.payload());
    }
    kafka.produceEvenly(topic, values, 4);

    Path models = tmp.resolve("models");
    List<String> args = new ArrayList<>(List.of(
        "--listens=kafka://" + kafka.bootstrap() + "/" + topic + "?maxDelaySeconds=86400&idleSeconds=3600",
        "--models=" + models, "--sink=" + Postgres.sinkUri(Postgres.newDatabase("skips_streaming")),
        "--streaming=true", "--runFor=PT10S"));
    args.addAll(List.of(SkipLoopBatchTest.WINDOWS));
    PipelineResult result = SkipModelPipeline.run(PipelineOptionsFactory.fromArgs(
        RunnerArgs.forRunner("FlinkRunner", args.toArray(new String[0]))).as(SkipModelPipeline.Options.class));
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    RunCounts counts = RunCounts.of(result);
    assertEquals(SkipLoopBatchTest.EVENTS, counts.read(), "read the whole topic");
    assertEquals(0, counts.get("dead_letters.late"), "nothing is late: " + counts);
    Diff.assertSameEntries("model cards", expected, SkipLoopBatchTest.cards(models));
  }
}
