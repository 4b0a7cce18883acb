package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.EndToEnd;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streaming ETL from a real Kafka 3.9 broker (KRaft, its own process, topics of four partitions,
 * keyed by event id so duplicates share a partition), read to the end of the backlog with {@code
 * until=caughtUp}: Direct into DuckDB, Flink into DuckDB and Flink into PostgreSQL, each runner and
 * each warehouse at least once. On the Direct runner, which has no checkpoints, offsets are
 * committed once the run's results are durable, and the replay starts from the committed offsets
 * moved back to the earliest.
 *
 * <p>Direct into PostgreSQL streams in {@code IngestEtlParityTest}; ELT and Spark's bounded read
 * are in {@code KafkaEltAndBatchTest}.
 */
public class KafkaIngestTest extends BrokerIngestTest {
  private static final long EVENTS = 4_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=9&duplicates=0.05&malformed=0.04&outOfOrder=0.3&late=0.02&items=30&users=150";
  private static final AtomicInteger TOPICS = new AtomicInteger();
  private static final String GROUP = "meshflow-test";

  static List<EndToEnd> cases() {
    return EndToEnd.cells("DirectRunner streaming duckdb kafka", "FlinkRunner streaming duckdb kafka",
        "FlinkRunner streaming postgresql kafka");
  }

  private String topic;

  public KafkaIngestTest() {
    super(GENERATOR, EVENTS);
  }

  @Override
  protected Stream newStream(List<InteractionAnalyticsModel.Record> records) throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    topic = "interactions-" + TOPICS.incrementAndGet();
    kafka.createTopic(topic, 4);
    kafka.produceKeyedByEventId(topic, records);
    String source = "kafka://" + kafka.bootstrap() + "/" + topic;
    if (cell.runner.equals("DirectRunner")) {
      String grouped = source + "?group=" + GROUP + "&start=committed";
      return new Stream(grouped, grouped.replace("start=committed", "start=earliest"), "kafka:interactions-%/%/%");
    }
    return new Stream(source, source, "kafka:interactions-%/%/%");
  }

  @Override
  protected List<String> endingAt(String source) {
    return List.of("--source=" + source + (source.contains("?") ? "&" : "?") + "until=caughtUp");
  }

  @Override
  protected void afterFirstRun(Stream stream) throws Exception {
    if (cell.runner.equals("DirectRunner")) {
      assertEquals(0, KafkaBroker.shared().lag(topic, GROUP, 4), "offsets are committed once results are durable");
    }
  }
}
