package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.duckdb.DuckDbDatabases;
import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.launcher.RunnerDefaults;
import dev.meshflow.pipelines.clickstream.ClickstreamBackfillPipeline;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.Products;
import dev.meshflow.transforms.clickstream.model.ClickstreamModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * clickstream-backfill in batch on the Direct and Flink runners against the plain-Java floor: the
 * reference model fed by a plain read of the same files, in the same JVM and run. Run with
 * {@code mvn -B -Pbenchmarks test -Dtest=ClickstreamBenchmark [-Dbench.clicks.events=200000]}; the
 * table is printed and written to target/benchmarks/clickstream.md.
 */
public class ClickstreamBenchmark {
  private static final long EVENTS = Long.getLong("bench.clicks.events", 200_000);
  private static final String GENERATOR = "generator:clicks?events=" + EVENTS + "&seed=42&persons=2000";

  @Test
  public void runnersAgainstThePlainJavaFloor() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-clicks-bench");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, dir, 4, 1);
    Path products = dir.resolve("products.jsonl");
    Files.writeString(products, ((ClickGenerator) GeneratedInput.generator(GENERATOR)).productsJsonLines());

    // Floor: best of two, so the JIT is warm as it is for the engines that follow.
    double floor = Double.MAX_VALUE;
    ClickstreamModel.Result model = null;
    for (int i = 0; i < 2; i++) {
      long t0 = System.nanoTime();
      model = ClickstreamModel.run(readAll(dir), Products.parse(Files.readString(products)), new Clickstream.Settings());
      floor = Math.min(floor, (System.nanoTime() - t0) / 1e9);
    }

    BenchmarkReport.VersusFloor table =
        new BenchmarkReport.VersusFloor(EVENTS, "plain-Java loop (read + ClickstreamModel)", floor);
    for (String runner : List.of("DirectRunner", "FlinkRunner")) {
      table.add(runner, runPipeline(runner, dir, products, model));
    }
    table.publish("clickstream.md", "Input: " + String.format("%,d", EVENTS) + " click events in 4 files"
        + " (1 gzipped), seed 42, " + model.sessions.size() + " sessions, " + model.identities.size()
        + " linked identities; " + BenchmarkReport.machine());
  }

  private static double runPipeline(String runner, Path dir, Path products, ClickstreamModel.Result model) {
    String db = dir.resolve(runner + ".duckdb").toString();
    List<String> args = RunnerDefaults.apply(List.of("--runner=" + runner,
        "--clicks=file:" + dir + "/part-*", "--products=" + products, "--sink=duckdb:" + db));
    ClickstreamBackfillPipeline.Options options = PipelineOptionsFactory
        .fromArgs(args.toArray(new String[0])).as(ClickstreamBackfillPipeline.Options.class);
    long t0 = System.nanoTime();
    PipelineResult result = ClickstreamBackfillPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(model.valid, RunCounts.of(result).valid(), "the benchmark must compute the right answer");
    DuckDbDatabases.close(db);
    return seconds;
  }

  /** The part files' lines as model records, read as the floors read them. */
  static List<ClickstreamModel.Record> readAll(Path dir) throws IOException {
    List<ClickstreamModel.Record> records = new ArrayList<>();
    PartFiles.forEachLine(dir, (origin, line) -> records.add(new ClickstreamModel.Record(origin, line)));
    return records;
  }
}
