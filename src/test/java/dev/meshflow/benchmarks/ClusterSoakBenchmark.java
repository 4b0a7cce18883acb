package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.JavaCommand;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshflow.testing.RunnerBundles;
import dev.meshflow.testing.services.FlinkCluster;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A soak: streaming {@code ingest} on a standalone Flink cluster (a JobManager and two
 * TaskManagers, each a process; parallelism 2) from Kafka at {@code bench.soak.rate} events/s
 * (default 5,000) for {@code bench.soak.minutes} (default 30), into PostgreSQL, submitted as a user
 * submits it ({@code java -jar} the Flink bundle with {@code --flinkMaster}) with the launcher's
 * defaults (a checkpoint every 10 s, 10 minutes of dedupe and lateness).
 *
 * <p>Every 15 s: each TaskManager's live heap (a full GC asked with {@code jcmd GC.run}, then
 * {@code GC.heap_info}'s used heap) and metaspace, and its RSS; the consumer group's lag (end
 * offsets less committed, which move at each checkpoint); each completed checkpoint's size and
 * duration from the JobManager's REST API. After the run, event time to commit per row from
 * PostgreSQL's commit timestamps, per 5 minutes, and the launcher's read = written + duplicates +
 * dead letters. The ratio is the rate held over the target.
 *
 * <p>Run with {@code mvn -B -Pbenchmarks test -Dtest=ClusterSoakBenchmark [-Dbench.soak.minutes=30]
 * [-Dbench.soak.rate=5000]}; writes target/benchmarks/cluster-soak.md, cluster-soak.svg (the
 * picture in docs/benchmarks.md) and cluster-soak.csv (every sample).
 */
public class ClusterSoakBenchmark {
  private static final long MINUTES = Long.getLong("bench.soak.minutes", 30);
  private static final long RATE = Long.getLong("bench.soak.rate", 5000);
  private static final long SAMPLE_SECONDS = 15;
  private static final int TASK_MANAGERS = 2;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern USED_HEAP = Pattern.compile("total (\\d+)K, used (\\d+)K");
  private static final Pattern METASPACE = Pattern.compile("Metaspace\\s+used (\\d+)K");
  private static final Pattern READ = Pattern.compile("\\bread\\s+([\\d,]+) records \\(([\\d,]+)/s\\)");

  /** One sample of the cluster, at {@code minute} since the job was submitted. */
  private record Sample(double minute, long[] heapMb, long[] metaspaceMb, long[] rssMb, long lag) {}

  /** One completed checkpoint. */
  private record Checkpoint(long id, double minute, long sizeBytes, long durationMillis) {}

  @Test
  public void ingestOnAFlinkClusterHoldsTheRateWithFlatMemoryForHalfAnHour() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-soak");
    File bundle = RunnerBundles.build("flink", dir);
    List<Sample> samples = new ArrayList<>();
    Map<Long, Checkpoint> checkpoints = new TreeMap<>();
    String out;
    double[][] latencyBuckets;
    double[] latency;
    long rows;
    try (FlinkCluster cluster = FlinkCluster.start(dir.resolve("cluster"), 0, TASK_MANAGERS, List.of());
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("track_commit_timestamp", "on").start()) {
      try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE soak");
      }
      // The topic exists before the job, the feed starts once the job runs: no start-up backlog.
      String topic = "soak";
      dev.meshflow.testing.services.KafkaBroker.shared().createTopic(topic, 4);
      String source = "kafka://" + dev.meshflow.testing.services.KafkaBroker.shared().bootstrap() + "/" + topic
          + "?group=soak";
      Path log = dir.resolve("soak.log");
      String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new ArrayList<>(List.of(javaBin));
      command.addAll(JavaCommand.launcherFlags("jvm-flags"));
      command.addAll(List.of("-jar", bundle.getPath(), "ingest", "--runner=FlinkRunner",
          "--flinkMaster=" + cluster.master(), "--parallelism=2", "--streaming",
          "--source=" + source, "--sink=postgresql://127.0.0.1:" + pg.getPort() + "/soak?user=postgres",
          "--runFor=PT" + MINUTES + "M", "--progressSeconds=60"));
      long t0 = System.nanoTime();
      Process job = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      KafkaFeed feed = null;
      try {
        dev.meshflow.testing.Await.until("the soak's job running on the cluster", java.time.Duration.ofMinutes(3),
            () -> {
              assertTrue(job.isAlive(), () -> "the job ended before it ran:\n" + RunnerBundles.tail(log));
              return cluster.jobs().states().contains("RUNNING");
            }, running -> running);
        feed = KafkaFeed.start(topic, "generator:interactions?outOfOrder=0&late=0", RATE, MINUTES * 60 + 600);
        long deadline = t0 + TimeUnit.MINUTES.toNanos(MINUTES + 10);
        while (!job.waitFor(SAMPLE_SECONDS, TimeUnit.SECONDS)) { // the sampling period, not a wait for a condition
          assertTrue(System.nanoTime() < deadline, "the soak did not end in its time");
          double minute = (System.nanoTime() - t0) / 6e10;
          samples.add(sample(cluster, feed, minute));
          checkpoints(cluster, t0, checkpoints);
        }
        checkpoints(cluster, t0, checkpoints);
      } finally {
        job.destroyForcibly();
        if (feed != null) {
          feed.stopFeeding();
        }
      }
      out = Files.readString(log);
      assertEquals(0, job.exitValue(), "the soak's job failed:\n" + RunnerBundles.tail(out));
      try (Connection c = pg.getDatabase("postgres", "soak").getConnection()) {
        latencyBuckets = latencyPerFiveMinutes(c);
        latency = latency(c, "");
        rows = count(c);
      }
    }
    Matcher read = READ.matcher(out);
    assertTrue(read.find(), "the summary's read line:\n" + RunnerBundles.tail(out));
    String readLine = read.group(0).replaceAll("\\s+", " ");
    write(dir, samples, checkpoints, latencyBuckets, latency, readLine, Long.parseLong(read.group(2).replace(",", "")),
        rows, conservation(out));
    assertTrue(out.matches("(?s).*conservation\\s+read [\\d,]+ = .*duplicates \\+ dead letters\\n.*"),
        "read = written + duplicates + dead letters:\n" + RunnerBundles.tail(out));
  }

  private static Sample sample(FlinkCluster cluster, KafkaFeed feed, double minute) throws Exception {
    long[] heap = new long[TASK_MANAGERS];
    long[] metaspace = new long[TASK_MANAGERS];
    long[] rss = new long[TASK_MANAGERS];
    for (int i = 0; i < TASK_MANAGERS; i++) {
      cluster.jcmd(i, "GC.run");
      String info = cluster.jcmd(i, "GC.heap_info");
      Matcher used = USED_HEAP.matcher(info);
      heap[i] = used.find() ? Long.parseLong(used.group(2)) / 1024 : -1;
      Matcher meta = METASPACE.matcher(info);
      metaspace[i] = meta.find() ? Long.parseLong(meta.group(1)) / 1024 : -1;
      rss[i] = rssMb(cluster.taskManagerPid(i));
    }
    long lag = feed.lag("soak");
    return new Sample(minute, heap, metaspace, rss, lag);
  }

  /** Completed checkpoints the REST API lists now (it keeps the latest ten), added to {@code seen}. */
  private static void checkpoints(FlinkCluster cluster, long t0, Map<Long, Checkpoint> seen) throws Exception {
    List<String> ids = cluster.jobs().ids();
    if (ids.isEmpty()) {
      return; // not yet submitted
    }
    String job = ids.get(ids.size() - 1);
    long wallT0 = System.currentTimeMillis() - (System.nanoTime() - t0) / 1_000_000;
    JsonNode history = JSON.readTree(cluster.rest("/jobs/" + job + "/checkpoints")).path("history");
    for (JsonNode c : history) {
      if (c.path("status").asText().equals("COMPLETED")) {
        long id = c.path("id").asLong();
        seen.putIfAbsent(id, new Checkpoint(id, (c.path("latest_ack_timestamp").asLong() - wallT0) / 6e4,
            c.path("checkpointed_size").asLong(c.path("state_size").asLong()), c.path("end_to_end_duration").asLong()));
      }
    }
  }

  private static long rssMb(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }

  /** p50, p95, p99 of event time to commit (s), over rows whose event time is in {@code where}. */
  private static double[] latency(Connection c, String where) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT percentile_cont(ARRAY[0.5,"
        + " 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM pg_xact_commit_timestamp(xmin))"
        + " - extract(epoch FROM event_ts)) FROM interactions" + where)) {
      rs.next();
      Double[] p = (Double[]) rs.getArray(1).getArray();
      return new double[] {p[0], p[1], p[2]};
    }
  }

  /** Per 5 minutes of event time from the first event: {bucket, p50, p95, p99}. */
  private static double[][] latencyPerFiveMinutes(Connection c) throws Exception {
    List<double[]> buckets = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("WITH t AS (SELECT floor(extract(epoch"
        + " FROM event_ts - (SELECT min(event_ts) FROM interactions)) / 300) AS bucket, extract(epoch FROM"
        + " pg_xact_commit_timestamp(xmin)) - extract(epoch FROM event_ts) AS seconds FROM interactions)"
        + " SELECT bucket, percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY seconds) FROM t"
        + " GROUP BY bucket ORDER BY bucket")) {
      while (rs.next()) {
        Double[] p = (Double[]) rs.getArray(2).getArray();
        buckets.add(new double[] {rs.getDouble(1), p[0], p[1], p[2]});
      }
    }
    return buckets.toArray(new double[0][]);
  }

  private static long count(Connection c) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM interactions")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The launcher summary's conservation line. */
  private static String conservation(String out) {
    Matcher m = Pattern.compile("conservation\\s+(read [^\\n]+)").matcher(out);
    return m.find() ? m.group(1).trim() : "(no conservation line: see the job's log)";
  }

  private static void write(Path dir, List<Sample> samples, Map<Long, Checkpoint> checkpoints,
      double[][] buckets, double[] latency, String readLine, long perSecond, long rows, String conservation)
      throws Exception {
    List<SvgPanels.Series> heap = new ArrayList<>();
    List<SvgPanels.Series> rss = new ArrayList<>();
    List<SvgPanels.Series> metaspace = new ArrayList<>();
    for (int i = 0; i < TASK_MANAGERS; i++) {
      int tm = i;
      heap.add(new SvgPanels.Series("TaskManager " + (i + 1), samples.stream()
          .map(s -> new double[] {s.minute, s.heapMb[tm]}).toList()));
      rss.add(new SvgPanels.Series("TaskManager " + (i + 1), samples.stream()
          .map(s -> new double[] {s.minute, s.rssMb[tm]}).toList()));
      metaspace.add(new SvgPanels.Series("TaskManager " + (i + 1), samples.stream()
          .map(s -> new double[] {s.minute, s.metaspaceMb[tm]}).toList()));
    }
    List<Checkpoint> done = new ArrayList<>(checkpoints.values());
    String svg = new SvgPanels(String.format("ingest on a Flink cluster, %,d events/s from Kafka for %d min",
        RATE, MINUTES))
        .panel("live heap after a full GC", "MB", heap)
        .panel("resident set size", "MB", rss)
        .panel("metaspace used", "MB", metaspace)
        .panel("consumer lag (end offsets less committed; commits follow checkpoints)", "records",
            List.of(new SvgPanels.Series("lag", samples.stream().map(s -> new double[] {s.minute, s.lag}).toList())))
        .panel("checkpoint duration, end to end", "ms", List.of(new SvgPanels.Series("duration",
            done.stream().map(c -> new double[] {c.minute, c.durationMillis}).toList())))
        .panel("checkpoint size", "MB", List.of(new SvgPanels.Series("size",
            done.stream().map(c -> new double[] {c.minute, c.sizeBytes / 1e6}).toList())))
        .render();
    Files.writeString(Path.of("target/benchmarks/cluster-soak.svg"), svg);

    StringBuilder csv = new StringBuilder("minute,heap_mb_tm1,heap_mb_tm2,metaspace_mb_tm1,metaspace_mb_tm2,"
        + "rss_mb_tm1,rss_mb_tm2,lag\n");
    for (Sample s : samples) {
      csv.append(String.format(java.util.Locale.ROOT, "%.2f,%d,%d,%d,%d,%d,%d,%d%n", s.minute, s.heapMb[0],
          s.heapMb[1], s.metaspaceMb[0], s.metaspaceMb[1], s.rssMb[0], s.rssMb[1], s.lag));
    }
    Files.writeString(Path.of("target/benchmarks/cluster-soak.csv"), csv.toString());

    List<String> lines = new ArrayList<>();
    lines.add(String.format("ingest on a standalone Flink 1.19 cluster (a JobManager and %d TaskManagers of 2048 MB,"
        + " each a process; parallelism 2), from a 4-partition topic fed at %,d events/s for %d min, into"
        + " PostgreSQL 16; launcher defaults (checkpoint every 10 s); %s", TASK_MANAGERS, RATE, MINUTES,
        BenchmarkReport.machine()));
    lines.add("");
    lines.add("| measure | mean, first 5 min | mean, last 5 min | max |");
    lines.add("|---|---:|---:|---:|");
    for (int i = 0; i < TASK_MANAGERS; i++) {
      int tm = i;
      lines.add(row("TaskManager " + (i + 1) + " live heap after GC, MB", points(samples, s -> s.heapMb[tm])));
      lines.add(row("TaskManager " + (i + 1) + " RSS, MB", points(samples, s -> s.rssMb[tm])));
      lines.add(row("TaskManager " + (i + 1) + " metaspace, MB", points(samples, s -> s.metaspaceMb[tm])));
    }
    lines.add(row("consumer lag, records", points(samples, s -> s.lag)));
    lines.add(row("checkpoint duration, ms (" + done.size() + " checkpoints)",
        done.stream().map(c -> new double[] {c.minute, c.durationMillis}).toList()));
    lines.add(row("checkpoint size, MB", done.stream().map(c -> new double[] {c.minute, c.sizeBytes / 1e6}).toList()));
    lines.add("");
    lines.add(String.format("Rate held: the launcher's summary says %s, **%.2f× the target** (its seconds include"
        + " the job's start). Rows in `interactions`: %,d; %s.", readLine, perSecond / (double) RATE, rows,
        conservation));
    lines.add("");
    lines.add(String.format("Latency, event time to commit, whole run: p50 %.2f s, p95 %.2f s, p99 %.2f s; per 5 min"
        + " of event time (p50 / p99, s):", latency[0], latency[1], latency[2]));
    StringBuilder perBucket = new StringBuilder();
    for (double[] b : buckets) {
      perBucket.append(String.format(" %d–%d min %.2f / %.2f;", (int) b[0] * 5, (int) b[0] * 5 + 5, b[1], b[3]));
    }
    lines.add(perBucket.toString().trim());
    BenchmarkReport.publish("cluster-soak.md", String.join("\n", lines));
    System.out.println("soak files: target/benchmarks/cluster-soak.{md,svg,csv}; cluster and job logs in " + dir);
  }

  private static List<double[]> points(List<Sample> samples, java.util.function.ToLongFunction<Sample> value) {
    return samples.stream().map(s -> new double[] {s.minute, value.applyAsLong(s)}).toList();
  }

  /** A measure's mean over the first and last five minutes of its points (minute, value), and its max. */
  private static String row(String name, List<double[]> points) {
    double end = points.stream().mapToDouble(p -> p[0]).max().orElse(0);
    return String.format("| %s | %,.0f | %,.0f | %,.0f |", name,
        points.stream().filter(p -> p[0] < 5).mapToDouble(p -> p[1]).average().orElse(Double.NaN),
        points.stream().filter(p -> p[0] > end - 5).mapToDouble(p -> p[1]).average().orElse(Double.NaN),
        points.stream().mapToDouble(p -> p[1]).max().orElse(0));
  }
}
