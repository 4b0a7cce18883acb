package dev.meshflow.pipelines.ingest;

import dev.meshflow.testing.EndToEnd;
import dev.meshflow.testing.services.KinesisEmulator;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.util.List;

/**
 * Streaming ETL from Kinesis through KinesisIO (aws2), against the kinesis-local emulator, which
 * the test installs with npm and starts: Direct and Flink into DuckDB, each stream of one shard,
 * and a replay from trim_horizon on Flink (on Direct it streamed 25 s more for the same check).
 * One shard: the Direct runner runs readers in turns, so a second shard's events could arrive
 * after the first had moved the watermark on (docs/pipelines/ingest.md, "Stopping a stream"); the
 * launcher gives it a thread per shard ({@code KinesisLauncherShardsTest}).
 */
public class KinesisIngestTest extends BrokerIngestTest {
  static final long EVENTS = 1_000;
  // No late events: the watermark follows the payloads while the stream is read, so an event 15
  // minutes behind would rightly be dead-lettered as late, which the batch model does not do.
  // Lateness has its own tests (StreamingLatenessTest).
  static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=31&duplicates=0.05&malformed=0.04&late=0&items=30&users=150";

  static List<EndToEnd> cases() {
    return EndToEnd.cells("DirectRunner streaming duckdb kinesis", "FlinkRunner streaming duckdb kinesis");
  }

  public KinesisIngestTest() {
    super(GENERATOR, EVENTS);
  }

  @Override
  protected Stream newStream(List<InteractionAnalyticsModel.Record> records) throws Exception {
    String stream = "interactions-" + cell.runner;
    KinesisEmulator kinesis = KinesisEmulator.shared();
    kinesis.createStream(stream, 1);
    kinesis.put(stream, records.stream().map(InteractionAnalyticsModel.Record::origin).toList(),
        records.stream().map(InteractionAnalyticsModel.Record::payload).toList());
    String source = "kinesis://" + stream + "?endpoint=" + kinesis.endpoint() + "&region=us-east-1";
    return new Stream(source, source, "kinesis:" + stream + "/shardId-%/%");
  }

  /**
   * --runFor: both runners read the 1,000 records within a few seconds of the first reader's
   * start, even beside a busy test JVM (the Direct runner in batches: {@code io.stream.BatchedRead}).
   */
  @Override
  protected List<String> endingAt(String source) {
    return List.of("--source=" + source, "--runFor=PT10S");
  }

  @Override
  protected boolean replays() {
    return cell.runner.equals("FlinkRunner");
  }
}
