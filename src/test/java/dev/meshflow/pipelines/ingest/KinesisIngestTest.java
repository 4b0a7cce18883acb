package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.services.KinesisEmulator;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kinesis into DuckDB through KinesisIO (aws2) against the kinesis-local emulator, which the test
 * installs with npm and starts, on the Direct and Flink runners: exact rows, dead letters with their shard coordinates, conserved
 * counts, and a replay from trim_horizon that changes nothing.
 */
// Its runs stream for a fixed --runFor, and the Direct runner reads a Kinesis shard at about
// 200 records/s here: beside another test JVM it read 1,987 of 2,000 in 15 s. So it runs alone.
@Tag("alone")
public class KinesisIngestTest {
  private static final long EVENTS = 2_000;
  // No late events: the watermark follows the payloads while the stream is read, so an event 15
  // minutes behind would rightly be dead-lettered as late, which the batch model does not do.
  // Lateness has its own tests (StreamingLatenessTest).
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=31&duplicates=0.05&malformed=0.04&late=0&items=30&users=150";

  @TempDir Path tmp;

  private static void ingest(String runner, String source, String sink) {
    // --runFor streams until it stops (it was a bounded read before), and the Direct runner reads
    // a Kinesis shard at about 200 records/s here, so it gets the time to read all 2,000.
    String runFor = runner.equals("DirectRunner") ? "PT25S" : "PT10S";
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(
        runner, "--source=" + source, "--sink=" + sink, "--streaming=true", "--runFor=" + runFor))
        .as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    RunCounts counts = RunCounts.of(result);
    assertEquals(EVENTS, counts.read(), "read every record of the stream");
    assertTrue(counts.conserved(IngestPipeline.PIPELINE.spec(options).conservation()), "conserved: " + counts);
  }

  /** Once: the replay runs on Flink below (on Direct it streamed 25 s more for the same check). */
  @Test
  public void kinesisIntoDuckDbExactly() throws Exception {
    intoDuckDb("DirectRunner", "interactions", false);
  }

  @Test
  public void flinkKinesisIntoDuckDbExactlyAndIdempotently() throws Exception {
    intoDuckDb("FlinkRunner", "interactions-flink", true);
  }

  private void intoDuckDb(String runner, String stream, boolean replay) throws Exception {
    // One shard: the Direct runner runs readers in turns, so a second shard's events could arrive
    // after the first shard had moved the watermark on (see docs/pipelines/ingest.md, "Stopping a stream"). The
    // launcher gives the Direct runner a thread per shard (the next test).
    List<InteractionAnalyticsModel.Record> records = streamOf(stream, 1, EVENTS);
    String file = tmp + "/" + stream + ".duckdb";
    Tables tables = Tables.duckDb(file);
    String source = "kinesis://" + stream + "?endpoint=" + KinesisEmulator.shared().endpoint() + "&region=us-east-1";
    ingest(runner, source, "duckdb:" + file);
    assertExactly(records, tables, stream);
    if (!replay) {
      return;
    }
    List<String> before = tables.dump("SELECT * FROM interactions ORDER BY event_id");
    ingest(runner, source, "duckdb:" + file);
    assertEquals(before, tables.dump("SELECT * FROM interactions ORDER BY event_id"));
  }

  /**
   * Four shards through the launcher, as a user runs it: the Direct runner gets a thread per
   * shard, so every shard is read from the start of the run. With its default three threads the
   * fourth shard's reader would start only once the first three had read for the whole 15 s. The
   * first dead letter of each shard (every shard has some) shows when it was read.
   */
  @Test
  public void theLauncherReadsEveryShardOfAStoppingStreamAtOnce() throws Exception {
    String stream = "interactions-launcher";
    // 1,000 records: the Direct runner read 4 shards at 119 records/s in a cold JVM, so 2,000 did
    // not all arrive within the 15 s; this test is about when each shard starts, not volume.
    long events = 1_000;
    streamOf(stream, 4, events);
    String file = tmp + "/" + stream + ".duckdb";
    CliRun run = CliRun.of(List.of("ingest",
        "--source=kinesis://" + stream + "?endpoint=" + KinesisEmulator.shared().endpoint() + "&region=us-east-1",
        "--sink=duckdb:" + file, "--streaming", "--runFor=PT15S", "--progressSeconds=0"));
    String printed = run.out;
    assertEquals(dev.meshflow.launcher.Main.OK, run.code, run.err);
    assertTrue(printed.contains("meshflow: 4 partitions or shards, each read for the whole run:"
        + " --targetParallelism="), printed);
    assertTrue(printed.contains("read          " + String.format("%,d", events) + " records"), printed);
    assertTrue(printed.contains("conservation  read " + String.format("%,d", events) + " = "), printed);
    Tables tables = Tables.duckDb(file);
    assertEquals(4, tables.count(
        "SELECT count(DISTINCT split_part(origin, '/', 2)) FROM dead_letter WHERE stage = 'parse'"), "every shard has dead letters");
    long spreadMillis = tables.count("SELECT epoch_ms(max(first)) - epoch_ms(min(first)) FROM"
        + " (SELECT min(failed_at) AS first FROM dead_letter WHERE stage = 'parse'"
        + " GROUP BY split_part(origin, '/', 2))");
    assertTrue(spreadMillis < 10_000, "the shards' first records came " + spreadMillis + " ms apart; a shard read in turn"
        + " would come 15 s after the others");
  }

  /** A new stream of {@code shards} shards holding the generated records. */
  private static List<InteractionAnalyticsModel.Record> streamOf(String stream, int shards, long events) throws Exception {
    KinesisEmulator kinesis = KinesisEmulator.shared();
    kinesis.createStream(stream, shards);
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(
        GENERATOR.replace("events=" + EVENTS, "events=" + events), events);
    List<String> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (InteractionAnalyticsModel.Record r : records) {
      keys.add(r.origin());
      values.add(r.payload());
    }
    kinesis.put(stream, keys, values);
    return records;
  }

  /** The model's rows exactly, and its dead letters, each with its shard coordinates. */
  private static void assertExactly(List<InteractionAnalyticsModel.Record> records, Tables tables,
      String stream) throws Exception {
    IngestEtlModel.Result expected = IngestEtlModel.run(records, EtlSpec.identity(), null);
    String columns = Tables.ALL.replace(", source_origin", "");
    Diff.assertSameLines("interactions", Tables.render(expected.rows.values(), columns),
        tables.interactions("interactions", columns));
    assertEquals(expected.deadLetters.size(), tables.count(
        "SELECT count(*) FROM dead_letter WHERE origin LIKE 'kinesis:" + stream + "/shardId-%/%'"));
  }
}
