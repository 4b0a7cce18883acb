package dev.meshflow.benchmarks;

import static dev.meshflow.benchmarks.ChildProcess.median;
import static dev.meshflow.benchmarks.ChildProcess.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.benchmarks.nativeflink.BeamShuffleFloor;
import dev.meshflow.benchmarks.nativeflink.NativeShuffleFloor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What one shuffle costs through Beam's FlinkRunner against Flink itself, with no meshflow code in
 * either: N numbers keyed by {@code i mod K} and counted per key ({@link NativeShuffleFloor},
 * {@link BeamShuffleFloor}), each a whole JVM, rounds interleaved, both outputs checked equal (keys
 * and total) before a ratio is reported. N = 10 is start-up alone; K = N is a dedupe's shape
 * (every key once), K = 20,000 a per-item-minute count's. The ratio is the ceiling a Beam job with that shuffle can reach on the
 * FlinkRunner, whatever its transforms do.
 *
 * <p>{@code mvn -B -Pbenchmarks test -Dtest=ShuffleFloorBenchmark [-Dbench.floor.events=1000000]
 * [-Dbench.floor.rounds=3] [-Dbench.floor.variants="|--useDataStreamForBatch=true"]}; the table
 * is printed and written to target/benchmarks/shuffle-floor.md.
 */
public class ShuffleFloorBenchmark {
  private static final long EVENTS = Long.getLong("bench.floor.events", 1_000_000);
  private static final int ROUNDS = Integer.getInteger("bench.floor.rounds", 3);
  private static final List<String> VARIANTS =
      List.of(System.getProperty("bench.floor.variants", "").split("\\|", -1));

  @Test
  public void oneShuffleThroughBeamAgainstNativeFlink() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-floor");
    List<String> table = new ArrayList<>(List.of(
        "| numbers | keys | job | wall s: median (min–max) | CPU s: median (min–max) | peak MB | vs native: wall / CPU |",
        "|---:|---:|---|---:|---:|---:|---:|"));
    List<String> loads = new ArrayList<>();
    // Start-up alone (10 numbers), then a dedupe's shape and a per-item-minute count's.
    for (long[] sizes : new long[][] {{10, 10}, {EVENTS, EVENTS}, {EVENTS, 20_000}}) {
      long events = sizes[0];
      long keys = sizes[1];
      Map<String, List<ChildProcess>> runs = new LinkedHashMap<>();
      String expected = "keys " + keys + " total " + events;
      for (int round = 0; round < ROUNDS; round++) {
        loads.add(String.format("%.2f", ChildProcess.loadAverage()));
        ChildProcess nativeRun = ChildProcess.java(NativeShuffleFloor.class.getName(),
            List.of(String.valueOf(events), String.valueOf(keys)), dir.resolve("native.log"));
        assertEquals(expected, lastLine(nativeRun.output), "native");
        runs.computeIfAbsent("native Flink 1.19 DataStream: keyBy, reduce", k -> new ArrayList<>()).add(nativeRun);
        for (String variant : VARIANTS) {
          List<String> args = new ArrayList<>(List.of(String.valueOf(events), String.valueOf(keys)));
          if (!variant.isBlank()) {
            args.addAll(Arrays.asList(variant.trim().split("\\s+")));
          }
          ChildProcess beam = ChildProcess.java(BeamShuffleFloor.class.getName(), args, dir.resolve("beam.log"));
          assertEquals(expected, lastLine(beam.output), "Beam " + variant);
          runs.computeIfAbsent("Beam on FlinkRunner: GenerateSequence, Sum.longsPerKey"
              + (variant.isBlank() ? "" : ", " + variant.trim()), k -> new ArrayList<>()).add(beam);
        }
      }
      double nativeWall = median(seconds(runs.values().iterator().next(), true));
      double nativeCpu = median(seconds(runs.values().iterator().next(), false));
      runs.forEach((job, list) -> {
        double[] wall = seconds(list, true);
        double[] cpu = seconds(list, false);
        long peak = list.stream().mapToLong(r -> r.peakMegabytes).max().orElse(0);
        table.add(String.format("| %,d | %,d | %s | %.1f (%.1f–%.1f) | %.1f (%.1f–%.1f) | %,d | %.2f× / %.2f× |",
            events, keys, job,
            median(wall), wall[0], wall[wall.length - 1], median(cpu), cpu[0], cpu[cpu.length - 1], peak,
            nativeWall / median(wall), nativeCpu / median(cpu)));
      });
    }
    BenchmarkReport.publish("shuffle-floor.md", String.join("\n", List.of(
        String.format("One keyed count, %d interleaved rounds, each a whole JVM; load average at each round: %s;"
            + " %s", ROUNDS, String.join(", ", loads), BenchmarkReport.machine()),
        "", String.join("\n", table))));
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (lines[i].startsWith("keys ")) {
        return lines[i].strip();
      }
    }
    return "(no result line)";
  }

}
