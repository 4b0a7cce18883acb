package dev.meshflow.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a machine's CPU went over a stretch of a benchmark: the machine's busy time from
 * /proc/stat, and each named process's own (with its descendants, from /proc/PID/stat), in cores
 * (CPU-seconds a second); this JVM counts alone, since the services it started are its children.
 * What no named process used is the rest: databases, brokers, the OS.
 */
final class CpuShares {
  private static final double TICKS = 100.0; // USER_HZ on Linux
  private final Map<String, ProcessHandle> processes;
  private final long startNanos;
  private final long startBusy;
  private final Map<String, Long> startTicks = new LinkedHashMap<>();

  private CpuShares(Map<String, ProcessHandle> processes) throws IOException {
    this.processes = processes;
    this.startNanos = System.nanoTime();
    this.startBusy = machineBusyTicks();
    processes.forEach((name, p) -> startTicks.put(name, treeTicks(p)));
  }

  /** Starts counting for {@code processes} (name to process, each with its descendants). */
  static CpuShares start(Map<String, ProcessHandle> processes) throws IOException {
    return new CpuShares(processes);
  }

  /** E.g. "machine 1.92 cores: serve 0.61, benchmark JVM 0.70, job 0.25, rest 0.36". */
  String since() throws IOException {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double busy = (machineBusyTicks() - startBusy) / TICKS / seconds;
    StringBuilder s = new StringBuilder(String.format("machine %.2f cores:", busy));
    double named = 0;
    for (Map.Entry<String, ProcessHandle> e : processes.entrySet()) {
      double cores = (treeTicks(e.getValue()) - startTicks.get(e.getKey())) / TICKS / seconds;
      named += cores;
      s.append(String.format(" %s %.2f,", e.getKey(), cores));
    }
    return s.append(String.format(" rest %.2f", Math.max(0, busy - named))).toString();
  }

  private static long machineBusyTicks() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < f.length && i <= 8; i++) {
      total += Long.parseLong(f[i]);
    }
    return total - Long.parseLong(f[4]) - Long.parseLong(f[5]); // less idle and iowait
  }

  /** A process with its descendants; this JVM alone (its descendants are the services it started). */
  private static long treeTicks(ProcessHandle root) {
    if (root.pid() == ProcessHandle.current().pid()) {
      return ticks(root.pid());
    }
    try (Stream<ProcessHandle> tree = Stream.concat(Stream.of(root), root.descendants())) {
      return tree.mapToLong(p -> ticks(p.pid())).sum();
    }
  }

  /** utime + stime of one process (its threads included), 0 once it has gone. */
  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15, counted from state
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }
}
