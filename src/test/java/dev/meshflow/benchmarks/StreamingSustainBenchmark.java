package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.JavaCommand;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The streaming jobs held at a target rate on embedded Flink for a while: {@code ingest},
 * {@code interaction-analytics} and {@code fleet-alerts}, each reading a live generator at
 * {@code bench.sustain.rate} events/s (default 5,000) for {@code bench.sustain.seconds} (default
 * 600) into PostgreSQL. Each job is the launcher in a JVM of its own, as a user runs it.
 *
 * <p>Measured, per job:
 *
 * <ul>
 *   <li>throughput: records read over the run, against the target rate (the ratio);
 *   <li>memory: heap after GC, sampled every 15 s: the harness asks the job's JVM for a full GC
 *       ({@code jcmd <pid> GC.run}) and reads what it kept from the JVM's GC log, so each sample is
 *       the live heap, not young-GC leftovers; first, at 2 minutes, last and highest; and the peak
 *       RSS. A job's state grows until its retention (the dedupe window and allowed lateness,
 *       10 minutes by default) and is flat after, so {@code ingest} also runs with 2 minutes;
 *   <li>end-to-end latency, event time to the row in the warehouse, p50/p95/p99. For
 *       {@code interactions}, per row, from PostgreSQL's commit timestamps
 *       ({@code track_commit_timestamp}); for windowed tables, window end to the moment a poll
 *       (every 500 ms) first saw the window's row, since later panes rewrite the row.
 * </ul>
 *
 * <p>Run with {@code mvn -B -Pbenchmarks test -Dtest=StreamingSustainBenchmark
 * [-Dbench.sustain.seconds=600] [-Dbench.sustain.rate=5000] [-Dbench.sustain.jobs=ingest,interaction-analytics,...]
 * [-Dbench.sustain.launchersJit=true]} (the last: the launcher's compiler thresholds, runners-config/jit-flags);
 * the table is printed and written to target/benchmarks/streaming-sustain.md.
 */
public class StreamingSustainBenchmark {
  private static final long SECONDS = Long.getLong("bench.sustain.seconds", 600);
  private static final long RATE = Long.getLong("bench.sustain.rate", 5000);
  private static final List<String> JOBS = Arrays.asList(
      System.getProperty("bench.sustain.jobs",
          "ingest,ingest from Kafka,ingest (2 min retention),interaction-analytics,"
              + "interaction-analytics from Kafka,fleet-alerts,fleet-alerts from Kafka").split(","));
  private static final Path PROJECT = Paths.get("").toAbsolutePath();
  /** The job's JVM with the launcher's compiler thresholds (runners-config/jit-flags), as ./meshflow starts it. */
  private static final boolean LAUNCHERS_JIT = Boolean.getBoolean("bench.sustain.launchersJit");
  private static final Pattern READ = Pattern.compile("\\bread\\s+([\\d,]+) records");
  private static final Pattern FULL_GC = Pattern.compile(
      "^\\[([\\d.]+)s\\].*Pause Full \\(Diagnostic Command\\) (\\d+)M->(\\d+)M\\((\\d+)M\\)");
  private static final long SAMPLE_SECONDS = 15;
  /**
   * A job's source that is a Kafka topic a producer thread fills at the rate while it runs, with
   * records of the generator that follows the colon.
   */
  private static final String KAFKA = "kafka:";

  /** One job to hold at the rate, and where its latency is read. */
  private static final class Job {
    final String name;
    final String source;
    final String table;
    /** The column holding event time (per row) or the window's end (per window). */
    final String timeSql;
    final String keySql;
    final boolean perWindow;
    final String label;
    final List<String> options;

    Job(String name, String source, String table, String timeSql, String keySql, boolean perWindow) {
      this(name, name, List.of(), source, table, timeSql, keySql, perWindow);
    }

    Job(String label, String name, List<String> options, String source, String table, String timeSql,
        String keySql, boolean perWindow) {
      this.label = label;
      this.options = options;
      this.name = name;
      this.source = source;
      this.table = table;
      this.timeSql = timeSql;
      this.keySql = keySql;
      this.perWindow = perWindow;
    }
  }

  private static List<Job> jobs() {
    // No planted disorder or lateness: the latency then is the pipeline's own, not the generator's.
    String interactions = "generator:interactions?rate=" + RATE + "&outOfOrder=0&late=0";
    String vehicles = "generator:vehicles?vehicles=" + RATE + "&reportSeconds=1";
    List<Job> all = List.of(
        new Job("ingest", interactions, "interactions", "event_ts", "event_id", false),
        new Job("ingest from Kafka", "ingest", List.of(), KAFKA + "interactions?outOfOrder=0&late=0",
            "interactions", "event_ts", "event_id", false),
        new Job("ingest (2 min retention)", "ingest", List.of("--dedupeWindow=2m", "--allowedLateness=2m"),
            interactions, "interactions", "event_ts", "event_id", false),
        new Job("interaction-analytics", interactions, "item_minute_stats", "window_end",
            "item_id || '@' || window_end", true),
        new Job("interaction-analytics from Kafka", "interaction-analytics", List.of(),
            KAFKA + "interactions?outOfOrder=0&late=0", "item_minute_stats", "window_end",
            "item_id || '@' || window_end", true),
        new Job("fleet-alerts", vehicles, "vehicle_minute_stats", "window_start + interval '1 minute'",
            "vehicle_id || '@' || window_start", true),
        new Job("fleet-alerts from Kafka", "fleet-alerts", List.of(),
            KAFKA + "vehicles?vehicles=" + RATE + "&reportSeconds=1", "vehicle_minute_stats",
            "window_start + interval '1 minute'", "vehicle_id || '@' || window_start", true));
    List<Job> chosen = new ArrayList<>();
    all.forEach(j -> {
      if (JOBS.contains(j.label)) {
        chosen.add(j);
      }
    });
    return chosen;
  }

  /** Jobs that did not end cleanly, reported after the table of those that did. */
  private static final List<String> FAILED = new ArrayList<>();

  @Test
  public void streamingJobsHoldTheRateOnFlink() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-sustain");
    List<String> rows = new ArrayList<>();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setServerConfig("track_commit_timestamp", "on").start()) {
      for (Job job : jobs()) {
        String db = job.label.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
          st.execute("CREATE DATABASE " + db);
        }
        rows.add(run(job, pg, db, dir));
      }
    }
    BenchmarkReport.publish("streaming-sustain.md", String.join("\n",
        "Each job on FlinkRunner (embedded, parallelism as the launcher sets it), from a live generator at "
            + String.format("%,d", RATE) + " events/s, for " + SECONDS + " s, into PostgreSQL 16; "
            + BenchmarkReport.machine(),
        "",
        "| job | events/s achieved | achieved / target | live heap after GC, MB: first, 2 min, last, max | peak RSS, MB"
            + " | latency p50 / p95 / p99, s | of which the source's start | measured on |",
        "|---|---:|---:|---|---:|---|---|---|",
        String.join("\n", rows)));
    assertEquals(List.of(), FAILED, "every job ended cleanly");
  }

  private static String run(Job job, EmbeddedPostgres pg, String db, Path dir) throws Exception {
    String file = job.label.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    Path log = dir.resolve(file + ".log");
    Path gcLog = dir.resolve(file + ".gc.log");
    String sink = "postgresql://127.0.0.1:" + pg.getPort() + "/" + db + "?user=postgres";
    List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-v"));
    List<String> jvm = new ArrayList<>(List.of("-Xlog:gc:file=" + gcLog + ":uptime"));
    if (LAUNCHERS_JIT) {
      jvm.addAll(JavaCommand.launcherFlags("jit-flags"));
    }
    command.addAll(JavaCommand.of(jvm, "dev.meshflow.launcher.Main",
        List.of(job.name, "--runner=FlinkRunner", "--streaming", "--runFor=PT" + SECONDS + "S", "--sink=" + sink)));
    command.addAll(job.options);
    if (job.name.equals("fleet-alerts")) {
      command.addAll(List.of("--positions=" + job.source, "--alertsStream=file:" + dir.resolve("alerts")));
      if (job.source.startsWith(KAFKA)) { // the zones of the world the feed's vehicles drive in
        Path zones = dir.resolve(file + "-zones.geojson");
        Files.writeString(zones, dev.meshflow.io.endpoints.Endpoints.source(
            "generator:" + job.source.substring(KAFKA.length()), true)
            .referenceData(dev.meshflow.io.RecordSource.ZONES).orElseThrow());
        command.add("--zones=" + zones);
        command.add("--zonesRefresh=0s"); // Flink reads a reference file once, at start
      }
    } else {
      command.add("--source=" + job.source);
    }
    KafkaFeed feed = job.source.startsWith(KAFKA)
        ? KafkaFeed.start("sustain-" + file, "generator:" + job.source.substring(KAFKA.length()), RATE,
            SECONDS + 600) : null;
    if (feed != null) {
      command.replaceAll(a -> a.endsWith("=" + job.source)
          ? a.substring(0, a.indexOf('=') + 1) + feed.sourceUri("sustain") : a);
    }
    Process p = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    // Windows that end after the run is asked to stop are closed by the stop, not by time.
    long stopMillis = System.currentTimeMillis() + SECONDS * 1000;
    LatencyPoll poll = job.perWindow ? new LatencyPoll(pg, db, job, stopMillis) : null;
    if (poll != null) {
      poll.start();
    }
    boolean ended = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS + 300);
    while (!ended && System.nanoTime() < deadline) {
      ended = p.waitFor(SAMPLE_SECONDS, TimeUnit.SECONDS); // the sampling period, not a wait for a condition
      if (!ended) {
        fullGc(p);
      }
    }
    if (poll != null) {
      poll.interrupt();
      poll.join();
    }
    if (feed != null) {
      feed.stopFeeding();
    }
    String out = Files.readString(log);
    if (!ended) {
      p.destroyForcibly();
    }
    if (!ended || p.exitValue() != 0) {
      // The other jobs still run and the table still says what they measured.
      FAILED.add(job.label + " did not end cleanly:\n" + tail(out));
      return "| " + job.label + " | did not end cleanly (see the failure below the table) | | | | | | |";
    }

    Matcher read = READ.matcher(out);
    long records = read.find() ? Long.parseLong(read.group(1).replace(",", "")) : 0;
    double achieved = records / (double) SECONDS;
    double[] latency = job.perWindow ? poll.percentiles() : commitLatency(pg, db, job);
    return String.format("| %s | %,.0f | %.2f | %s | %,d | %.1f / %.1f / %.1f | %s | %s |", job.label,
        achieved, achieved / RATE, heapAfterGc(gcLog), peakRssMb(out),
        latency[0], latency[1], latency[2], sourceLag(out),
        job.perWindow ? job.table + ", per window row (first seen)" : job.table + ", per row (commit)");
  }

  /** Event time to commit, per row, from PostgreSQL's commit timestamps. */
  private static double[] commitLatency(EmbeddedPostgres pg, String db, Job job) throws Exception {
    try (Connection c = pg.getDatabase("postgres", db).getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP"
            + " (ORDER BY extract(epoch FROM pg_xact_commit_timestamp(xmin)) - extract(epoch FROM "
            + job.timeSql + ")) FROM " + job.table)) {
      rs.next();
      Double[] p = (Double[]) rs.getArray(1).getArray();
      return new double[] {p[0], p[1], p[2]};
    }
  }

  /** Asks the job's JVM (the child of /usr/bin/time) for a full GC, so the GC log shows its live heap. */
  private static void fullGc(Process time) throws Exception {
    for (ProcessHandle child : time.children().toList()) {
      Process jcmd = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
          String.valueOf(child.pid()), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      jcmd.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The live heap after each full GC the harness asked for: first, at 2 min, last, max (MB). */
  static String heapAfterGc(Path gcLog) throws Exception {
    TreeMap<Double, Long> samples = new TreeMap<>();
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = FULL_GC.matcher(line);
      if (m.find()) {
        samples.put(Double.parseDouble(m.group(1)), Long.parseLong(m.group(3)));
      }
    }
    if (samples.isEmpty()) {
      return "no samples";
    }
    Long atTwoMinutes = samples.floorEntry(120.0) == null ? null : samples.floorEntry(120.0).getValue();
    long max = samples.values().stream().mapToLong(Long::longValue).max().orElse(0);
    return samples.firstEntry().getValue() + ", " + atTwoMinutes + ", " + samples.lastEntry().getValue()
        + ", " + max + " (" + samples.size() + " samples)";
  }

  /**
   * How far the generator's event time trails the clock as the job reads it, from the last progress
   * line. A live generator stamps events from the launch, and the job's reader starts seconds later:
   * that constant share of the latency is the source's start, not the pipeline.
   */
  private static String sourceLag(String out) {
    Matcher m = Pattern.compile("event time \\S+ \\((\\d+) s behind").matcher(out);
    String last = "?";
    while (m.find()) {
      last = m.group(1) + " s";
    }
    return last;
  }

  private static long peakRssMb(String timeOutput) {
    Matcher m = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)").matcher(timeOutput);
    return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
  }

  private static String tail(String s) {
    return s.length() < 3000 ? s : s.substring(s.length() - 3000);
  }

  /** Polls a windowed table and notes when each window row first appears, for its latency. */
  private static final class LatencyPoll extends Thread {
    private final EmbeddedPostgres pg;
    private final String db;
    private final Job job;
    private final Set<String> seen = new HashSet<>();
    private final List<Double> latencies = new ArrayList<>();
    private final long stopMillis;

    LatencyPoll(EmbeddedPostgres pg, String db, Job job, long stopMillis) {
      super("latency-poll");
      this.pg = pg;
      this.db = db;
      this.job = job;
      this.stopMillis = stopMillis;
    }

    /** One look at the table: a window row not seen before is seen now. */
    void poll(Connection c) throws Exception {
      long now = System.currentTimeMillis();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + job.keySql
          + ", extract(epoch FROM " + job.timeSql + ") FROM " + job.table)) {
        while (rs.next()) {
          if (seen.add(rs.getString(1)) && rs.getDouble(2) * 1000 <= stopMillis) {
            latencies.add(now / 1000.0 - rs.getDouble(2));
          }
        }
      }
    }

    /** Polls every 500 ms on a schedule until the job ends; before its table exists a poll finds nothing. */
    @Override
    public void run() {
      java.util.concurrent.ScheduledExecutorService every =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      try (Connection c = pg.getDatabase("postgres", db).getConnection()) {
        every.scheduleAtFixedRate(() -> {
          try {
            poll(c);
          } catch (Exception tableNotYetThere) {
            // the job creates the table with its first write
          }
        }, 0, 500, TimeUnit.MILLISECONDS);
        try {
          new java.util.concurrent.CountDownLatch(1).await(); // until interrupted at the job's end
        } catch (InterruptedException end) {
          // the job ended
        }
        every.shutdown(); // the last poll finishes before the connection closes and the figures are read
        every.awaitTermination(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      } finally {
        every.shutdownNow();
      }
    }

    double[] percentiles() {
      List<Double> sorted = new ArrayList<>(latencies);
      sorted.sort(null);
      if (sorted.isEmpty()) {
        return new double[] {Double.NaN, Double.NaN, Double.NaN};
      }
      return new double[] {at(sorted, 0.5), at(sorted, 0.95), at(sorted, 0.99)};
    }

    private static double at(List<Double> sorted, double q) {
      return sorted.get((int) Math.min(sorted.size() - 1, Math.round(q * (sorted.size() - 1))));
    }
  }
}
