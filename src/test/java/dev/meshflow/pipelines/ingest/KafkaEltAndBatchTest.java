package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.OptionChecks;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka beyond streaming ETL ({@code KafkaIngestTest}): ELT lands each raw payload with its topic,
 * partition and offset, and the SparkRunner reads a bounded slice of a topic in batch.
 */
public class KafkaEltAndBatchTest {
  private static final long EVENTS = 4_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=9&duplicates=0.05&malformed=0.04&outOfOrder=0.3&late=0.02&items=30&users=150";

  @TempDir Path tmp;

  private static List<InteractionAnalyticsModel.Record> records;
  private static IngestEtlModel.Result expected;

  @BeforeAll
  public static void computeModel() {
    records = GeneratedInput.records(GENERATOR, EVENTS);
    expected = IngestEtlModel.run(records, EtlSpec.identity(), null);
  }

  private static PipelineResult ingest(String runner, String... args) {
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(runner, args))
        .as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    RunCounts counts = RunCounts.of(result);
    assertEquals(EVENTS, counts.read(), "read every record in the topic");
    assertTrue(counts.conserved(IngestPipeline.PIPELINE.spec(options).conservation()), "conserved: " + counts);
    return result;
  }

  @Test
  public void eltLandsRawPayloadsWithKafkaCoordinates() throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "interactions-elt";
    kafka.createTopic(topic, 4);
    kafka.produceKeyedByEventId(topic, records);
    String db = Postgres.newDatabase("kafka_elt");
    Tables tables = Tables.postgres(db);

    ingest("DirectRunner", "--source=kafka://" + kafka.bootstrap() + "/" + topic + "?until=caughtUp",
        "--sink=" + Postgres.sinkUri(db), "--mode=ELT", "--streaming=true");
    assertEquals(EVENTS, tables.count("SELECT count(*) FROM interactions_raw WHERE source_topic = '"
        + topic + "' AND source_partition BETWEEN 0 AND 3 AND source_offset >= 0"));
    assertEquals(EVENTS, tables.count(
        "SELECT sum(n) FROM (SELECT max(source_offset) + 1 AS n FROM interactions_raw GROUP BY source_partition) p"), "each partition's offsets are all there");
    String typed = Tables.TYPED;
    Diff.assertSameLines("interactions_v", Tables.render(expected.rows.values(), typed),
        tables.interactions("interactions_v", typed));
  }

  /**
   * {@code --source=mesh://interactions}: the catalog resolves the product to its topic, read as
   * any Kafka source, in batch and as a streaming replay of its backlog; a product that publishes
   * Avro is refused as a main input in one line.
   */
  @Test
  public void aProductsStreamIsASourceFoundThroughTheCatalog() throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "interactions-mesh";
    kafka.createTopic(topic, 2);
    List<byte[]> values = new ArrayList<>();
    records.forEach(r -> values.add(r.payload()));
    kafka.produceEvenly(topic, values, 2);
    Path catalog = tmp.resolve("catalog");
    MeshCatalog.init(catalog);
    String mesh = "mesh://interactions?catalog=" + catalog + "&bootstrap=" + kafka.bootstrap() + "&topic=" + topic;
    String file = tmp + "/mesh.duckdb";
    ingest("DirectRunner", "--source=" + mesh + "&maxRecords=" + EVENTS, "--sink=duckdb:" + file);
    String columns = Tables.ALL.replace(", source_origin", "");
    Diff.assertSameLines("interactions", Tables.render(expected.rows.values(), columns),
        Tables.duckDb(file).interactions("interactions", columns));
    // The same backlog replayed in streaming, as a live consumer of the product would read it; the
    // watermark trails by a day, so nothing is late and the replay must give the batch answer.
    String replayed = tmp + "/mesh-replay.duckdb";
    ingest("DirectRunner", "--source=" + mesh + "&until=caughtUp&maxDelaySeconds=86400", "--streaming=true",
        "--sink=duckdb:" + replayed);
    Diff.assertSameLines("interactions, replayed", Tables.render(expected.rows.values(), columns),
        Tables.duckDb(replayed).interactions("interactions", columns));

    OptionChecks.assertRejected(IngestPipeline.PIPELINE, "mesh://songs publishes avro; a pipeline's source must"
        + " be a JSON-lines product", "--source=mesh://songs?catalog=" + catalog + "&maxRecords=10");
    OptionChecks.assertRejected(IngestPipeline.PIPELINE, "unknown parameter(s) [db]",
        "--source=" + mesh + "&maxRecords=10&db=postgresql://x/y");
  }

  @Test
  public void sparkRunnerReadsABoundedSliceInBatch() throws Exception {
    // Spark's classic runner has no unbounded SDF read and no event-time timers in streaming, so
    // on Spark a topic is read in batch: maxRecords bounds the read (Beam splits it evenly over
    // the partitions, hence the even produce).
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "interactions-spark";
    kafka.createTopic(topic, 4);
    List<byte[]> values = new ArrayList<>();
    records.forEach(r -> values.add(r.payload()));
    kafka.produceEvenly(topic, values, 4);
    String file = tmp + "/spark.duckdb";
    ingest("SparkRunner", "--source=kafka://" + kafka.bootstrap() + "/" + topic + "?maxRecords=" + EVENTS,
        "--sink=duckdb:" + file);
    Tables tables = Tables.duckDb(file);
    // Batch keeps the smallest origin of a duplicate; compare content, not which copy.
    String columns = Tables.ALL.replace(", source_origin", "");
    Diff.assertSameLines("interactions", Tables.render(expected.rows.values(), columns),
        tables.interactions("interactions", columns));
    Diff.assertSameLines("dead letters", Tables.sortedValues(expected.deadLetters),
        Tables.sortedValues(tables.deadLetters()));
  }
}
