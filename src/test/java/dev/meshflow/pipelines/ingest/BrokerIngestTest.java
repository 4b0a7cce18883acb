package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.EndToEndTest;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.StreamedEtl;
import dev.meshflow.testing.Tables;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming ETL from a real broker, once per cell of the matrix's broker axis: the backlog of a
 * new topic or stream is ingested, and the warehouse holds the model's rows and dead letters (a
 * stream may dead-letter as late the events planted too late, and nothing else), each dead letter
 * names its broker coordinates, the counts are conserved, and a replay from the start, where the
 * cell replays, leaves every row and dead letter as it was.
 *
 * <p>The runs really stream: windows, watermarks and the late split act as in a live job. A
 * subclass says how its broker is filled and how a run of it ends.
 */
public abstract class BrokerIngestTest extends EndToEndTest {
  @TempDir Path tmp;

  /**
   * A topic or stream holding the records: the source URI a run reads, the one a replay from the
   * start reads, and the SQL pattern every dead letter's origin matches.
   */
  protected record Stream(String source, String replay, String originLike) {}

  private final String generator;
  private final long events;

  /** A broker's test reads {@code events} records of {@code generator}. */
  protected BrokerIngestTest(String generator, long events) {
    this.generator = generator;
    this.events = events;
  }

  /** A new topic or stream holding {@code records}. */
  protected abstract Stream newStream(List<InteractionAnalyticsModel.Record> records) throws Exception;

  /** The options that make a run of {@code source} end: caught up, or after a fixed time. */
  protected abstract List<String> endingAt(String source);

  /** What a finished first run must also have done (committed its offsets). */
  protected void afterFirstRun(Stream stream) throws Exception {}

  /** Whether this cell replays (each broker replays on one runner at least). */
  protected boolean replays() {
    return true;
  }

  @Test
  public void ingestsTheModelsRowsAndAReplayChangesNothing() throws Exception {
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(generator, events);
    IngestEtlModel.Result expected = IngestEtlModel.run(records, EtlSpec.identity(), null);
    Stream stream = newStream(records);
    Tables tables = cell.newWarehouse(tmp, "ingest");

    ingest(stream.source(), tables.sinkUri());
    assertMatchesModel(tables, expected, stream);
    afterFirstRun(stream);
    if (!replays()) {
      return;
    }
    List<String> rows = tables.dump("SELECT * FROM interactions ORDER BY event_id");
    List<String> deadLetters = tables.dump("SELECT id, stage, reason, origin, payload FROM dead_letter ORDER BY id");
    ingest(stream.replay(), tables.sinkUri());
    Diff.assertContainsAll("interactions rows after the replay", rows,
        tables.dump("SELECT * FROM interactions ORDER BY event_id"));
    Diff.assertContainsAll("dead letters after the replay", deadLetters,
        tables.dump("SELECT id, stage, reason, origin, payload FROM dead_letter ORDER BY id"));
    // Lateness depends on how far the watermark had got, so a planted-late event late in one run
    // may land in the other: the model allows exactly that.
    assertMatchesModel(tables, expected, stream);
  }

  private void ingest(String source, String sink) {
    List<String> args = new ArrayList<>(endingAt(source));
    args.addAll(List.of("--sink=" + sink, "--mode=ETL"));
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(cell.args(args.toArray(new String[0])))
        .as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    RunCounts counts = RunCounts.of(result);
    assertEquals(events, counts.read(), "read every record of the " + cell.broker + " backlog");
    assertTrue(counts.conserved(IngestPipeline.PIPELINE.spec(options).conservation()), "conserved: " + counts);
  }

  private void assertMatchesModel(Tables tables, IngestEtlModel.Result expected, Stream stream) throws Exception {
    StreamedEtl.assertMatchesModel(tables, expected, GeneratedInput.plantedLate(generator, events));
    assertEquals(0, tables.count("SELECT count(*) FROM dead_letter WHERE origin NOT LIKE '" + stream.originLike() + "'"),
        "dead letters name their " + cell.broker + " coordinates");
  }
}
