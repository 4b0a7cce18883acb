package dev.meshflow.pipelines.interactions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.Await;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.Warehouse;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code file:} in streaming mode watches a landing folder: files dropped while the pipeline runs
 * are read once each, and early firings make their counts visible before the window closes.
 */
public class LandingFolderStreamingTest {
  @TempDir Path tmp;

  @Test
  public void filesDroppedWhileRunningAreCountedOnce() throws Exception {
    Path landing = TempFiles.newFolder(tmp, "landing");
    String db = tmp + "/watch.duckdb";
    InteractionAnalyticsPipeline.Options options = PipelineOptionsFactory
        .fromArgs(RunnerArgs.forRunner("DirectRunner", "--streaming=true",
            "--source=file:" + landing + "/*.jsonl?pollSeconds=1", "--sink=duckdb:" + db,
            "--earlyFiringInterval=1s"))
        .as(InteractionAnalyticsPipeline.Options.class);
    PipelineResult result = InteractionAnalyticsPipeline.run(options);
    try {
      Warehouse warehouse = new Warehouse(db);
      // Event times just behind the wall clock, as a live producer's are: all on time.
      Instant start = Instant.now().minus(20, ChronoUnit.SECONDS);
      List<InteractionAnalyticsModel.Record> all = new ArrayList<>();
      for (int file = 0; file < 2; file++) {
        String uri = "generator:interactions?events=300&seed=" + (40 + file) + "&start=" + start
            + "&eventsPerSecond=30&late=0&outOfOrder=0&malformed=0.05&duplicates=0.05";
        Path staged = tmp.resolve("staged-" + file);
        GeneratedInput.writeShuffled(uri, 300, staged, 1, file);
        // Move complete files in, as a producer should, so a poll never sees half a file.
        Files.move(staged.resolve("part-0.jsonl"), landing.resolve("batch-" + file + ".jsonl"));
        all.addAll(GeneratedInput.records(uri, 300));

        InteractionAnalyticsModel.Result expected = InteractionAnalyticsModel.run(all);
        Await.until("file " + file + " counted", Duration.ofSeconds(90),
            () -> warehouse.count("SELECT coalesce(sum(plays + skips + likes + playlist_adds), 0)"
                + " FROM item_minute_stats"),
            counted -> counted == expected.valid);
        Await.until("file " + file + " dead letters", Duration.ofSeconds(30),
            () -> warehouse.count("SELECT count(*) FROM dead_letter"),
            n -> n == expected.deadLetters.size());
      }
      InteractionAnalyticsModel.Result expected = InteractionAnalyticsModel.run(all);
      assertEquals(expected.stats, warehouse.stats());
    } finally {
      result.cancel();
    }
  }
}
