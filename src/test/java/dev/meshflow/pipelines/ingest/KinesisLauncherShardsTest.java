package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.services.KinesisEmulator;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher reads a stream of several Kinesis shards on the Direct runner, each from the start. */
public class KinesisLauncherShardsTest {
  private static final String GENERATOR = KinesisIngestTest.GENERATOR;

  @TempDir Path tmp;

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
        GENERATOR.replace("events=" + KinesisIngestTest.EVENTS, "events=" + events), events);
    List<String> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (InteractionAnalyticsModel.Record r : records) {
      keys.add(r.origin());
      values.add(r.payload());
    }
    kinesis.put(stream, keys, values);
    return records;
  }
}
