package dev.meshflow.benchmarks;

import dev.meshflow.testing.JavaCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole JVM run as a benchmark round: its wall time, its CPU time (user + system, read from
 * /proc while it runs, every 50 ms), its peak resident memory and what it printed. Both sides of a
 * comparison start the same way, so start-up counts the same for each: from the test classpath
 * ({@link #java}), or each as its user would start it ({@link #run}: {@code ./meshflow}, which
 * execs its JVM in the same process, or a JVM on a classpath of its own).
 */
final class ChildProcess {
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  final double wallSeconds;
  final double cpuSeconds;
  final long peakMegabytes;
  final String output;

  private ChildProcess(double wallSeconds, double cpuSeconds, long peakMegabytes, String output) {
    this.wallSeconds = wallSeconds;
    this.cpuSeconds = cpuSeconds;
    this.peakMegabytes = peakMegabytes;
    this.output = output;
  }

  /** {@code java <jvm-flags> -cp <this JVM's classpath> mainClass args...}, to its end. */
  static ChildProcess java(String mainClass, List<String> args, Path log) throws Exception {
    return java(List.of(), mainClass, args, log);
  }

  /** The same, with {@code jvmArgs} (-D, -X) before the class. */
  static ChildProcess java(List<String> jvmArgs, String mainClass, List<String> args, Path log) throws Exception {
    return run(JavaCommand.of(jvmArgs, mainClass, args), Map.of(), log);
  }

  /** {@code command} with {@code env} added to this JVM's environment, to its end. */
  static ChildProcess run(List<String> command, Map<String, String> env, Path log) throws Exception {
    long start = System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putIfAbsent("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().putAll(env);
    Process p = builder.start();
    long cpuTicks = 0;
    long peakKb = 0;
    while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
      try {
        String[] stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat")).split("\\) ", 2)[1].split(" ");
        cpuTicks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]); // utime, stime
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
          if (line.startsWith("VmHWM:")) {
            peakKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException | RuntimeException gone) {
        // it ended between the wait and the read
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    String output = Files.readString(log);
    if (p.exitValue() != 0) {
      throw new AssertionError(command.subList(Math.max(0, command.size() - 6), command.size()) + " failed:\n" + output.substring(Math.max(0, output.length() - 3000)));
    }
    return new ChildProcess(wall, (double) cpuTicks / TICKS_PER_SECOND, peakKb / 1024, output);
  }

  /** The 1-minute load average now. */
  /** The runs' wall (or CPU) seconds, sorted. */
  static double[] seconds(List<ChildProcess> runs, boolean wall) {
    return runs.stream().mapToDouble(r -> wall ? r.wallSeconds : r.cpuSeconds).sorted().toArray();
  }

  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static double loadAverage() throws IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }
}
