package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.duckdb.DuckDbDatabases;
import dev.meshflow.io.generator.VehicleGenerator;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.launcher.RunnerDefaults;
import dev.meshflow.pipelines.fleet.FleetAlertsPipeline;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.fleet.Zones;
import dev.meshflow.transforms.fleet.model.FleetAlertsModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * fleet-alerts in batch on the Direct and Flink runners against the plain-Java floor: the
 * reference model fed by a plain read of the same files, in the same JVM and run. Run with
 * {@code mvn -B -Pbenchmarks test -Dtest=FleetAlertsBenchmark [-Dbench.fleet.events=360000]}; the
 * table is printed and written to target/benchmarks/fleet-alerts.md.
 */
public class FleetAlertsBenchmark {
  private static final int VEHICLES = 100;
  private static final long EVENTS = Long.getLong("bench.fleet.events", 360_000) / VEHICLES * VEHICLES;
  private static final String GENERATOR = "generator:vehicles?vehicles=" + VEHICLES + "&events=" + EVENTS
      + "&seed=42";

  @Test
  public void runnersAgainstThePlainJavaFloor() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-fleet-bench");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, dir, 4, 1);
    String geoJson = ((VehicleGenerator) GeneratedInput.generator(GENERATOR)).world().geoJson();
    Path zones = dir.resolve("zones.geojson");
    Files.writeString(zones, geoJson);

    // Floor: best of two, so the JIT is warm as it is for the engines that follow.
    double floor = Double.MAX_VALUE;
    FleetAlertsModel.Result model = null;
    for (int i = 0; i < 2; i++) {
      long t0 = System.nanoTime();
      model = FleetAlertsModel.run(readAll(dir), Zones.parse(Files.readString(zones)), 60_000, 10_000);
      floor = Math.min(floor, (System.nanoTime() - t0) / 1e9);
    }

    BenchmarkReport.VersusFloor table =
        new BenchmarkReport.VersusFloor(EVENTS, "plain-Java loop (read + FleetAlertsModel)", floor);
    for (String runner : List.of("DirectRunner", "FlinkRunner")) {
      table.add(runner, runPipeline(runner, dir, zones, model));
    }
    table.publish("fleet-alerts.md", "Input: " + String.format("%,d", EVENTS) + " position reports of "
        + VEHICLES + " vehicles in 4 files (1 gzipped), seed 42, " + model.alerts.size() + " alerts; "
        + BenchmarkReport.machine());
  }

  private static double runPipeline(String runner, Path dir, Path zones, FleetAlertsModel.Result model) {
    String db = dir.resolve(runner + ".duckdb").toString();
    List<String> args = RunnerDefaults.apply(List.of("--runner=" + runner,
        "--positions=file:" + dir + "/part-*", "--zones=" + zones, "--sink=duckdb:" + db,
        "--alertsStream=file:" + dir.resolve("stream-" + runner)));
    FleetAlertsPipeline.Options options = PipelineOptionsFactory
        .fromArgs(args.toArray(new String[0])).as(FleetAlertsPipeline.Options.class);
    long t0 = System.nanoTime();
    PipelineResult result = FleetAlertsPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(model.valid, RunCounts.of(result).valid(), "the benchmark must compute the right answer");
    DuckDbDatabases.close(db);
    return seconds;
  }

  private static List<FleetAlertsModel.Record> readAll(Path dir) throws IOException {
    List<FleetAlertsModel.Record> records = new ArrayList<>();
    PartFiles.forEachLine(dir, (origin, line) -> records.add(new FleetAlertsModel.Record(origin, line)));
    return records;
  }
}
