package dev.meshflow.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How the benchmarks print their tables and keep them under target/benchmarks/. */
final class BenchmarkReport {
  private BenchmarkReport() {}

  /** The machine a table was measured on, for its input line. */
  static String machine() {
    return Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version") + ".";
  }

  /** Prints {@code table} and writes it to target/benchmarks/{@code file}. */
  static void publish(String file, String table) throws IOException {
    System.out.println(table);
    Path report = Path.of("target/benchmarks", file);
    Files.createDirectories(report.getParent());
    Files.writeString(report, table + "\n");
  }

  /** Jobs against the plain-Java floor: seconds, records per second, and the floor's time over the job's. */
  static final class VersusFloor {
    private final long records;
    private final double floorSeconds;
    private final List<String> rows = new ArrayList<>();

    VersusFloor(long records, String floorJob, double floorSeconds) {
      this.records = records;
      this.floorSeconds = floorSeconds;
      add(floorJob, floorSeconds);
    }

    void add(String job, double seconds) {
      rows.add(String.format("| %s | %.1f | %,.0f | %.2f |", job, seconds, records / seconds, floorSeconds / seconds));
    }

    void publish(String file, String input) throws IOException {
      BenchmarkReport.publish(file, String.join("\n", List.of(input, "",
          "| job | seconds | records/s | throughput vs plain Java |",
          "|---|---:|---:|---:|",
          String.join("\n", rows))));
    }
  }
}
