package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.StreamedEtl;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingestion from a real Kafka 3.9 broker (KRaft, its own process, a topic of four partitions),
 * streaming a backlog with {@code until=caughtUp}, into DuckDB and a real PostgreSQL, on the Direct
 * and Flink runners: exact rows and dead letters against the model, conservation, committed
 * offsets, and a replay from earliest that leaves every table as it was.
 *
 * <p>The matrix is Direct into DuckDB, Flink into DuckDB and Flink into PostgreSQL: each runner
 * and each warehouse at least once, the sinks being the same code on every runner. Direct into
 * PostgreSQL streams in {@code IngestEtlParityTest} and lands ELT rows below; its own Kafka run
 * here took 24 s of CI's time and checked nothing the others do not.
 *
 * <p>The runs really stream: windows, watermarks and the late split act as in a live job (Beam's
 * {@code withMaxReadTime} would have turned the read into a bounded one). So a stream may
 * dead-letter as {@code late} the events the generator planted too late, and nothing else: every
 * other event of the historical backlog lands in {@code interactions}, as in batch.
 */
public class KafkaIngestTest {
  private static final long EVENTS = 4_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=9&duplicates=0.05&malformed=0.04&outOfOrder=0.3&late=0.02&items=30&users=150";
  private static final AtomicInteger TOPICS = new AtomicInteger();

  @TempDir Path tmp;

  private static List<InteractionAnalyticsModel.Record> records;
  private static IngestEtlModel.Result expected;
  private static Set<String> plantedLate;

  @BeforeAll
  public static void computeModel() {
    records = GeneratedInput.records(GENERATOR, EVENTS);
    expected = IngestEtlModel.run(records, EtlSpec.identity(), null);
    plantedLate = GeneratedInput.plantedLate(GENERATOR, EVENTS);
  }

  /** A new topic holding the generated records, keyed by event_id so duplicates share a partition. */
  private static String topicWithRecords(KafkaBroker kafka) throws Exception {
    String topic = "interactions-" + TOPICS.incrementAndGet();
    kafka.createTopic(topic, 4);
    kafka.produceKeyedByEventId(topic, records);
    return topic;
  }

  private static PipelineResult ingest(String runner, String source, String sink, String mode) {
    String untilCaughtUp = (source.contains("?") ? "&" : "?") + "until=caughtUp";
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(runner,
        "--source=" + source + untilCaughtUp, "--sink=" + sink, "--mode=" + mode,
        "--streaming=true")).as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    RunCounts counts = RunCounts.of(result);
    assertEquals(EVENTS, counts.read(), "read every record in the topic");
    assertTrue(counts.conserved(IngestPipeline.PIPELINE.spec(options).conservation()), "conserved: " + counts);
    return result;
  }


  private static void assertEtlResult(Tables tables) throws Exception {
    StreamedEtl.assertMatchesModel(tables, expected, plantedLate);
    assertEquals(0,
        tables.count("SELECT count(*) FROM dead_letter WHERE origin NOT LIKE 'kafka:interactions-%/%/%'"), "dead letters name their Kafka coordinates");
  }

  /**
   * A replay from earliest rewrites nothing: every row and every dead letter of the first run is
   * still there, unchanged. A stream decides lateness by how far the watermark had got when an
   * event arrived, so a planted-late event late in one run may land in the other: the result is
   * then checked again against the model, which allows exactly that.
   */
  private static void assertReplayChangesNothing(String runner, String source, String sink,
      Tables tables) throws Exception {
    List<String> rows = tables.dump("SELECT * FROM interactions ORDER BY event_id");
    List<String> deadLetters = tables.dump(
        "SELECT id, stage, reason, origin, payload FROM dead_letter ORDER BY id");
    ingest(runner, source.replace("start=committed", "start=earliest"), sink, "ETL");
    Diff.assertContainsAll("interactions rows after the replay", rows,
        tables.dump("SELECT * FROM interactions ORDER BY event_id"));
    Diff.assertContainsAll("dead letters after the replay", deadLetters, tables.dump(
        "SELECT id, stage, reason, origin, payload FROM dead_letter ORDER BY id"));
    assertEtlResult(tables);
  }

  @Test
  public void directRunnerIntoDuckDbCommitsOffsetsAndReplaysIdempotently() throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = topicWithRecords(kafka);
    String source = "kafka://" + kafka.bootstrap() + "/" + topic + "?group=meshflow-test&start=committed";
    String file = tmp + "/kafka.duckdb";
    Tables tables = Tables.duckDb(file);

    ingest("DirectRunner", source, "duckdb:" + file, "ETL");
    assertEtlResult(tables);
    assertEquals(0, lag(kafka, topic, "meshflow-test"), "offsets are committed once results are durable");
    assertReplayChangesNothing("DirectRunner", source, "duckdb:" + file, tables);
  }

  /** ETL from a new topic into {@code sink}, the exact result, then a replay that changes nothing. */
  private static void etlThenReplay(String runner, String sink, Tables tables) throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = topicWithRecords(kafka);
    String source = "kafka://" + kafka.bootstrap() + "/" + topic;
    ingest(runner, source, sink, "ETL");
    assertEtlResult(tables);
    assertReplayChangesNothing(runner, source, sink, tables);
  }

  @Test
  public void flinkRunnerIntoDuckDbReplaysIdempotently() throws Exception {
    String file = tmp + "/kafka-flink.duckdb";
    etlThenReplay("FlinkRunner", "duckdb:" + file, Tables.duckDb(file));
  }

  @Test
  public void flinkRunnerIntoPostgresReplaysIdempotently() throws Exception {
    String db = Postgres.newDatabase("kafka");
    etlThenReplay("FlinkRunner", Postgres.sinkUri(db), Tables.postgres(db));
  }

  @Test
  public void eltLandsRawPayloadsWithKafkaCoordinates() throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = topicWithRecords(kafka);
    String db = Postgres.newDatabase("kafka_elt");
    Tables tables = Tables.postgres(db);

    ingest("DirectRunner", "kafka://" + kafka.bootstrap() + "/" + topic, Postgres.sinkUri(db), "ELT");
    assertEquals(EVENTS, tables.count("SELECT count(*) FROM interactions_raw WHERE source_topic = '"
        + topic + "' AND source_partition BETWEEN 0 AND 3 AND source_offset >= 0"));
    assertEquals(EVENTS, tables.count(
        "SELECT sum(n) FROM (SELECT max(source_offset) + 1 AS n FROM interactions_raw GROUP BY source_partition) p"), "each partition's offsets are all there");
    String typed = Tables.TYPED;
    Diff.assertSameLines("interactions_v", Tables.render(expected.rows.values(), typed),
        tables.interactions("interactions_v", typed));
  }

  @Test
  public void sparkRunnerReadsABoundedSliceInBatch() throws Exception {
    // Spark's classic runner has no unbounded SDF read and no event-time timers in streaming, so
    // on Spark a topic is read in batch: maxRecords bounds the read (Beam splits it evenly over
    // the partitions, hence the even produce).
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "interactions-spark-" + TOPICS.incrementAndGet();
    kafka.createTopic(topic, 4);
    List<byte[]> values = new ArrayList<>();
    records.forEach(r -> values.add(r.payload()));
    kafka.produceEvenly(topic, values, 4);
    String file = tmp + "/spark.duckdb";
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner("SparkRunner",
        "--source=kafka://" + kafka.bootstrap() + "/" + topic + "?maxRecords=" + EVENTS,
        "--sink=duckdb:" + file)).as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    RunCounts counts = RunCounts.of(result);
    assertEquals(EVENTS, counts.read());
    assertTrue(counts.conserved(IngestPipeline.PIPELINE.spec(options).conservation()), "conserved: " + counts);
    Tables tables = Tables.duckDb(file);
    // Batch keeps the smallest origin of a duplicate; compare content, not which copy.
    String columns = Tables.ALL.replace(", source_origin", "");
    Diff.assertSameLines("interactions", Tables.render(expected.rows.values(), columns),
        tables.interactions("interactions", columns));
    Diff.assertSameLines("dead letters", Tables.sortedValues(expected.deadLetters),
        Tables.sortedValues(tables.deadLetters()));
  }

  /** Messages of the topic the group has not committed. */
  private static long lag(KafkaBroker kafka, String topic, String group) throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < 4; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      long lag = 0;
      for (var e : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        lag += e.getValue().offset() - (c == null ? 0 : c.offset());
      }
      return lag;
    }
  }
}
