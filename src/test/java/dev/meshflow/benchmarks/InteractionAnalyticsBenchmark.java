package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.duckdb.DuckDbDatabases;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.launcher.RunnerDefaults;
import dev.meshflow.pipelines.interactions.InteractionAnalyticsPipeline;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * Interaction analytics on each local runner against the plain-Java floor: the reference model
 * fed by a plain file read, over the same files, in the same JVM and run. Run with
 * {@code mvn -B -Pbenchmarks test [-Dbench.events=1000000]}; the table is printed and written to
 * target/benchmarks/interaction-analytics.md.
 */
public class InteractionAnalyticsBenchmark {
  private static final long EVENTS = Long.getLong("bench.events", 1_000_000);
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS + "&seed=42";

  @Test
  public void runnersAgainstThePlainJavaFloor() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-bench");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, dir, 4, 1);
    long bytes;
    try (Stream<Path> files = Files.list(dir)) {
      bytes = files.mapToLong(p -> p.toFile().length()).sum();
    }

    // Floor: best of two runs, so the JIT is warm as it is for the engines that follow.
    double floor = Double.MAX_VALUE;
    long valid = 0;
    for (int i = 0; i < 2; i++) {
      long t0 = System.nanoTime();
      InteractionAnalyticsModel.Result model = InteractionAnalyticsModel.run(readAll(dir));
      floor = Math.min(floor, (System.nanoTime() - t0) / 1e9);
      valid = model.valid;
    }

    BenchmarkReport.VersusFloor table = new BenchmarkReport.VersusFloor(EVENTS, "plain-Java loop (read + model)", floor);
    for (String runner : List.of("DirectRunner", "FlinkRunner", "SparkRunner")) {
      table.add(runner, runPipeline(runner, dir, valid));
    }
    table.publish("interaction-analytics.md", "Input: " + String.format("%,d", EVENTS) + " records, "
        + (bytes >> 20) + " MiB of JSON lines in 4 files (1 gzipped), seed 42; " + BenchmarkReport.machine());
  }

  private static double runPipeline(String runner, Path dir, long expectedValid) {
    String db = dir.resolve(runner + ".duckdb").toString();
    // The launcher's own runner defaults, so the benchmark measures what a user runs.
    List<String> args = RunnerDefaults.apply(List.of("--runner=" + runner,
        "--source=file:" + dir + "/part-*", "--sink=duckdb:" + db));
    InteractionAnalyticsPipeline.Options options = PipelineOptionsFactory
        .fromArgs(args.toArray(new String[0])).as(InteractionAnalyticsPipeline.Options.class);
    long t0 = System.nanoTime();
    PipelineResult result = InteractionAnalyticsPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(expectedValid, RunCounts.of(result).valid(), "the benchmark must compute the right answer");
    DuckDbDatabases.close(db);
    return seconds;
  }

  private static List<InteractionAnalyticsModel.Record> readAll(Path dir) throws IOException {
    List<InteractionAnalyticsModel.Record> records = new ArrayList<>();
    PartFiles.forEachLine(dir, (origin, line) -> records.add(new InteractionAnalyticsModel.Record(origin, line)));
    return records;
  }
}
