package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * {@code kafka://} as a sink on a real broker: one JSON message per interaction keyed by event_id,
 * and the dead letters on {@code <topic>.dead_letter}.
 */
public class KafkaSinkTest {
  private static final long EVENTS = 2_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=17&duplicates=0.05&malformed=0.05";

  @Test
  public void interactionsAreKeyedByEventIdAndDeadLettersHaveTheirTopic() throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    kafka.createTopic("ingested", 2);
    kafka.createTopic("ingested.dead_letter", 1);
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(
        "DirectRunner", "--source=" + GENERATOR, "--sink=kafka://" + kafka.bootstrap() + "/ingested"))
        .as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertTrue(RunCounts.of(result).conserved(IngestPipeline.PIPELINE.spec(options).conservation()));

    IngestEtlModel.Result expected =
        IngestEtlModel.run(GeneratedInput.records(GENERATOR, EVENTS), EtlSpec.identity(), null);
    List<String[]> messages = kafka.consume("ingested", expected.rows.size(), Duration.ofSeconds(60));
    Set<String> keys = new TreeSet<>();
    for (String[] m : messages) {
      keys.add(m[0]);
      assertTrue(m[1].startsWith("{\"event_id\":\"" + m[0] + "\",\"event_ts\":\""), m[1]);
    }
    assertEquals(expected.rows.keySet(), keys);
    assertEquals(expected.rows.size(), messages.size());
    List<String[]> deadLetters = kafka.consume("ingested.dead_letter", expected.deadLetters.size(),
        Duration.ofSeconds(60));
    assertEquals(expected.deadLetters.size(), deadLetters.size());
    assertTrue(deadLetters.get(0)[1].contains("\"stage\":\"parse\""));
  }
}
