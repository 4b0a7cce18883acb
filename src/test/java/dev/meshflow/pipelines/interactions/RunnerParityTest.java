package dev.meshflow.pipelines.interactions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.testing.EndToEnd;
import dev.meshflow.testing.EndToEndTest;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.Rows;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.Warehouse;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same pipeline code, on every local runner, in batch and in streaming mode, from generated
 * and from file input, must write exactly what the plain-Java model computes: every row, every
 * dead letter with its original bytes, and counts that add up.
 *
 * <p>The input is seeded and includes duplicates, out-of-order and late events, and all 14 kinds
 * of malformed line; the file variant also shuffles the lines across plain and gzipped files.
 * Streaming runs read a bounded input, so nothing is beyond the allowed lateness and the result
 * must equal the batch model; lateness itself is tested with TestStream.
 */
public class RunnerParityTest extends EndToEndTest {
  private static final long EVENTS = 12_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=7&duplicates=0.05&malformed=0.03&outOfOrder=0.3&late=0.02&items=40&users=300"
      // Pinned, so streaming mode does not move event time to the wall clock.
      + "&start=2026-03-07T23:00:00Z&eventsPerSecond=100";

  @TempDir static Path TMP;

  private static InteractionAnalyticsModel.Result expected;
  private static Map<String, byte[]> payloadByOrigin;
  private static Path inputDir;

  /** Every runner and mode into DuckDB; PostgreSQL is the other tests' warehouse. */
  public static List<EndToEnd> cases() {
    return EndToEnd.where(c -> !c.postgres() && !c.brokered());
  }

  @BeforeAll
  public static void computeModel() throws Exception {
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(GENERATOR, EVENTS);
    expected = InteractionAnalyticsModel.run(records);
    payloadByOrigin = new TreeMap<>();
    records.forEach(r -> payloadByOrigin.put(r.origin(), r.payload()));
    inputDir = TempFiles.newFolder(TMP, "landing");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, inputDir, 3, 99);
    assertTrue(expected.duplicates > 100, "the input must contain duplicates");
    assertTrue(expected.deadLetters.size() > 100, "the input must contain dead letters");
  }

  /**
   * From the generator, and in batch also from the shuffled files (a streaming {@code file:}
   * source watches its folder for good: LandingFolderStreamingTest).
   */
  @Test
  public void writesExactlyWhatTheModelComputes() throws Exception {
    writesExactlyWhatTheModelComputes(false);
    if (!cell.streaming) {
      writesExactlyWhatTheModelComputes(true);
    }
  }

  private void writesExactlyWhatTheModelComputes(boolean files) throws Exception {
    String db = TMP + "/" + cell.runner + "-" + cell.streaming + "-" + files + ".duckdb";
    String source = files ? "file:" + inputDir + "/part-*" : GENERATOR + "&rate=1000000";
    InteractionAnalyticsPipeline.Options options = PipelineOptionsFactory
        .fromArgs(cell.args("--source=" + source, "--sink=duckdb:" + db))
        .as(InteractionAnalyticsPipeline.Options.class);

    PipelineResult result = InteractionAnalyticsPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    Warehouse warehouse = new Warehouse(db);
    Rows.assertSame(expected.stats, warehouse.stats());

    Map<String, String> deadLetters = warehouse.deadLetters();
    if (files) {
      // File origins name file and line; the model names generator indexes. Compare by content.
      assertEquals(expected.deadLetters.size(), deadLetters.size());
      assertEquals(sortedReasons(expected.deadLetters), sortedReasons(deadLetters));
    } else {
      Map<String, String> expectedWithStage = new TreeMap<>();
      expected.deadLetters.forEach((origin, reason) -> expectedWithStage.put(origin, "parse: " + reason));
      assertEquals(expectedWithStage, deadLetters);
      warehouse.deadLetterPayloads().forEach((origin, payload) ->
          assertArrayEquals(payloadByOrigin.get(origin), payload, "payload of " + origin));
    }

    RunCounts counts = RunCounts.of(result);
    assertEquals(EVENTS, counts.read());
    assertEquals(expected.valid, counts.valid());
    assertEquals(expected.duplicates, counts.duplicates());
    assertEquals(expected.deadLetters.size(), counts.deadLetters());
    assertTrue(counts.conserved(Conservation.aggregated()), "read = valid + duplicates + dead letters: " + counts);
    assertEquals(0, counts.runnerDroppedLate(), "nothing dropped unseen");
    long counted = warehouse.count(
        "SELECT sum(plays + skips + likes + playlist_adds) FROM item_minute_stats");
    assertEquals(expected.valid, counted, "every valid event is counted once in the table");
  }

  private static List<String> sortedReasons(Map<String, String> byOrigin) {
    List<String> reasons = new ArrayList<>();
    byOrigin.values().forEach(r -> reasons.add(r.startsWith("parse: ") ? r.substring(7) : r));
    reasons.sort(String::compareTo);
    return reasons;
  }
}
