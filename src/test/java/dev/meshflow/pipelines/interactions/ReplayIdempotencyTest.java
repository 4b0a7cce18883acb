package dev.meshflow.pipelines.interactions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Warehouse;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running the same input into the same warehouse twice leaves the same tables: sinks upsert. */
public class ReplayIdempotencyTest {
  @TempDir Path tmp;

  private static void run(String db) {
    InteractionAnalyticsPipeline.Options options = PipelineOptionsFactory
        .fromArgs(RunnerArgs.forRunner("DirectRunner",
            "--source=generator:interactions?events=3000&seed=21&malformed=0.05&duplicates=0.05",
            "--sink=duckdb:" + db))
        .as(InteractionAnalyticsPipeline.Options.class);
    assertEquals(PipelineResult.State.DONE, InteractionAnalyticsPipeline.run(options).waitUntilFinish());
  }

  @Test
  public void aReplayChangesNothing() throws Exception {
    String db = tmp + "/replay.duckdb";
    Warehouse warehouse = new Warehouse(db);
    run(db);
    List<String> stats = warehouse.dump("item_minute_stats", "window_start, item_id");
    // failed_at records when a record was rejected, so it alone may change on a replay.
    List<String> deadLetters = warehouse.dump("dead_letter", "id", "failed_at");
    assertTrue(stats.size() > 100);
    assertTrue(deadLetters.size() > 50);

    run(db);
    assertEquals(stats, warehouse.dump("item_minute_stats", "window_start, item_id"));
    assertEquals(deadLetters, warehouse.dump("dead_letter", "id", "failed_at"));
  }
}
