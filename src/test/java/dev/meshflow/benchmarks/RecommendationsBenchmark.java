package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.sql.ReadOnlyConnections;
import dev.meshflow.pipelines.recommendations.serving.RecommendationApi;
import dev.meshflow.pipelines.recommendations.serving.ServedLists;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.JavaCommand;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recommendations consumer live: a feed writes generated plays and skips (taste groups and
 * artists, stamped with the time they are sent) to the Interactions product's topic at
 * {@code bench.recs.rate} events/s (default 2,000), a streaming {@code recommendations} job reads
 * {@code mesh://interactions} under its grant and writes PostgreSQL, and {@code serve} answers.
 *
 * <ul>
 *   <li><b>Freshness</b>, per runner ({@code bench.recs.runners}, default FlinkRunner,DirectRunner;
 *       Direct also at {@code bench.recs.directRate}, default 100 events/s):
 *       once a second a listener the store has never seen plays a song through
 *       {@code POST /events}; timed from the POST until {@code GET /recommendations} names that
 *       song as the reason ("because you played X") and leaves it out. The baseline, in the same
 *       run, is the broker's share: the same event's arrival at a plain consumer of the topic. The
 *       job's own progress lines say whether it kept up with the feed meanwhile.
 *   <li><b>Serving</b>: {@code GET /recommendations/{user}} for random known listeners at
 *       {@code bench.recs.rps} requests/s (default 500) for {@code bench.recs.seconds} (default 30),
 *       open loop (each latency from the request's scheduled time, so a stall counts for every
 *       request it delays), against {@code serve} in a JVM of its own while the Flink job writes;
 *       the baseline is {@code GET /health} (one single-row read) at the same rate in the same run:
 *       the HTTP and connection floor. The job learns from {@code bench.recs.serveRate} events/s
 *       (default 200) meanwhile. Then the same against a DuckDB store written by a batch run
 *       with no writer, and what serve answers for a DuckDB file a streaming job holds.
 * </ul>
 *
 * Run with {@code mvn -B -Pbenchmarks test -Dtest=RecommendationsBenchmark} ({@code
 * -Dbench.recs.updateInterval=500ms}, the job's option, and the properties above); the tables are
 * printed and written to target/benchmarks/recommendations-*.md, the jobs' output beside them.
 */
public class RecommendationsBenchmark {
  private static final long RATE = Long.getLong("bench.recs.rate", 2000);
  /** The Direct runner's feed: it does not keep up with the target rate (the table's other row says so). */
  private static final long DIRECT_RATE = Long.getLong("bench.recs.directRate", 100);
  private static final int PROBES = Integer.getInteger("bench.recs.probes", 60);
  /** Probes before the counted ones, while the JVMs compile the hot paths. */
  private static final int WARMUP_PROBES = 10;
  private static final String UPDATE_INTERVAL = System.getProperty("bench.recs.updateInterval", "500ms");
  private static final int RPS = Integer.getInteger("bench.recs.rps", 500);
  private static final int SECONDS = Integer.getInteger("bench.recs.seconds", 30);
  /** The feed while serving is measured: the job writes, and the machine's two cores serve too. */
  private static final long SERVE_RATE = Long.getLong("bench.recs.serveRate", 200);
  /** The serve settings compared in one run: neighbourhoods read per request, and kept 500 ms (the default). */
  private static final List<Long> CACHE_MILLIS = Arrays.stream(System.getProperty("bench.recs.cacheMillis", "0,500")
      .split(",")).map(Long::parseLong).toList();
  /** When above 0, the last serve setting is measured again with the job's threads at this niceness. */
  private static final int JOB_NICE = Integer.getInteger("bench.recs.jobNice", 0);
  /**
   * Serve's JVM options to compare, separated by {@code |} (an empty one: the launcher's own;
   * {@code classes=DIR}: another build's classes), each against the live store in interleaved
   * rounds ({@code bench.recs.rounds}); none by default.
   */
  private static final List<String> SERVE_VARIANTS =
      Arrays.asList(System.getProperty("bench.recs.serveVariants", "").split("\\|", -1));
  private static final int ROUNDS = Integer.getInteger("bench.recs.rounds", 3);
  private static final List<String> RUNNERS =
      Arrays.asList(System.getProperty("bench.recs.runners", "FlinkRunner,DirectRunner").split(","));
  /**
   * A live service's proportions: 100,000 listeners and 2,000 items, so each listener plays a few
   * songs an hour (600 listeners at 2,000 events/s would each play three a second, and every play
   * would pair with thousands of that listener's last 30 minutes).
   */
  private static final int LISTENERS = 100_000;
  private static final String FEED = "generator:interactions?taste=1&recs=1&items=2000&users=" + LISTENERS
      + "&outOfOrder=0&late=0&duplicates=0&malformed=0";
  private static final Duration PROBE_LIMIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  public void freshnessFromAPostedPlayToTheServedList() throws Exception {
    List<String> rows = new ArrayList<>();
    for (String runner : RUNNERS) {
      rows.add(freshness(runner, RATE));
      if (runner.equals("DirectRunner") && DIRECT_RATE != RATE) {
        rows.add(freshness(runner, DIRECT_RATE));
      }
    }
    BenchmarkReport.publish("recommendations-freshness.md", String.join("\n", List.of(
        "Freshness: " + PROBES + " plays posted one a second (after " + WARMUP_PROBES + " not counted) by listeners"
            + " never seen, while a feed writes to the Interactions topic;"
            + " `--updateInterval=" + UPDATE_INTERVAL + "`, PostgreSQL 16; "
            + BenchmarkReport.machine(), "",
        "| runner | feed, events/s | posted play in the list: p50 | p95 | max | not within " + PROBE_LIMIT.toSeconds() + " s"
            + " | broker's share p95 (baseline) | p95 over the 2 s target | job's progress lines saying \"keeping up\" |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        String.join("\n", rows))));
  }

  private String freshness(String runner, long rate) throws Exception {
    Live live = Live.start(tmp, runner, "fresh-" + runner.toLowerCase() + "-" + rate, rate);
    try (RecommendationApi api = RecommendationApi.start(Endpoints.sink(live.sink), live.catalog, live.feed.bootstrap(),
        live.feed.topic(), "127.0.0.1", 0, 4, null, 500); Arrivals arrivals = Arrivals.watch(live.feed)) {
      if (!live.keepsUp()) {
        List<String> lines = live.progressLines(0);
        return "| " + runner + " | " + String.format("%,d", rate) + " | did not keep up in 3 minutes: `"
            + (lines.isEmpty() ? "no progress line" : lines.get(lines.size() - 1)) + "` | | | | | | |";
      }
      List<String> seeds = seeds(api.url());
      int progressBefore = live.progressLines(0).size();
      List<Double> fresh = new ArrayList<>();
      List<Double> broker = new ArrayList<>();
      int missed = 0;
      long start = System.nanoTime();
      for (int i = -WARMUP_PROBES; i < PROBES; i++) {
        // At most one probe a second: each waits for its slot, or goes at once if the last ran past it.
        LockSupport.parkNanos(start + (i + WARMUP_PROBES) * 1_000_000_000L - System.nanoTime());
        String user = "probe-" + runner + "-" + i;
        String item = seeds.get((i + WARMUP_PROBES) % seeds.size());
        String id = "play-" + user;
        long posted = System.nanoTime();
        HttpResponse<String> reply = ServedLists.post(api.url() + "/events", "{\"event_id\":\"" + id + "\",\"ts\":\""
            + Instant.now() + "\",\"user_id\":\"" + user + "\",\"item_id\":\"" + item
            + "\",\"item_type\":\"song\",\"event_type\":\"play\",\"device\":\"web\"}");
        assertEquals(202, reply.statusCode(), reply.body());
        double seconds = untilServed(api.url(), user, item, posted);
        if (i < 0) {
          continue;
        }
        if (seconds < 0) {
          if (++missed == 3) {
            break; // a job this far behind answers no probe; the table says so
          }
        } else {
          fresh.add(seconds);
        }
        Long arrived = arrivals.at(id);
        if (arrived != null) {
          broker.add((arrived - posted) / 1e9);
        }
      }
      List<String> progress = live.progressLines(progressBefore);
      long keepingUp = progress.stream().filter(l -> l.endsWith("keeping up)")).count();
      System.out.printf("%s: %d probes, %d missed; freshness %s%n", runner, PROBES, missed, fresh);
      double p95 = percentile(fresh, 95);
      return String.format("| %s | %,d | %.2f s | %.2f s | %.2f s | %d | %.3f s | %.2f | %d of %d |", runner,
          rate, percentile(fresh, 50), p95, percentile(fresh, 100), missed, percentile(broker, 95), p95 / 2.0,
          keepingUp, progress.size());
    } finally {
      live.stop();
    }
  }

  @Test
  public void servingLatencyWhileTheJobWrites() throws Exception {
    List<String> rows = new ArrayList<>();
    List<String> single = new ArrayList<>();
    List<String> cpus = new ArrayList<>();
    List<String> shares = new ArrayList<>();
    List<String> variants = new ArrayList<>();
    if (Boolean.parseBoolean(System.getProperty("bench.recs.postgres", "true"))) {
      servingPostgres(rows, single, cpus, shares, variants);
    }

    String answer = "(not measured: -Dbench.recs.duckdb=false)";
    if (Boolean.parseBoolean(System.getProperty("bench.recs.duckdb", "true"))) {
      answer = servingDuckDb(rows, single);
    }
    BenchmarkReport.publish("recommendations-serving.md", String.join("\n", List.of(
        "Serving: `GET /recommendations/{user}?n=10` for random known listeners at " + RPS + " requests/s for "
            + SECONDS + " s, open loop, against `./meshflow serve` (8 threads) in a JVM of its own; the baseline is"
            + " `GET /health` at the same rate in the same run; " + BenchmarkReport.machine(), "",
        "| store | p50 | p95 | p99 | max | errors | /openapi.json p99 (no store read) | /health p99 (baseline) | p99 over"
            + " /health's | p99 over the 25 ms target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        String.join("\n", rows), "",
        "One request at a time (2,000 after 300 not counted), before the load above: the API's capacity on one"
            + " connection.", "",
        "| store | p50 | p95 | p99 | errors | requests/s |", "|---|---:|---:|---:|---:|---:|",
        String.join("\n", single), "",
        "Where the two cores went while `/recommendations` was under load (`serve`'s JVM; the benchmark's JVM: the load"
            + " client and the Kafka feed; the job's launcher and its Flink JVM; the rest: PostgreSQL, Kafka, the OS):", "",
        "| store | CPU, in cores | GC pauses while loaded: serve; the load client |", "|---|---|---|", String.join("\n", cpus), "",
        "What `serve` said of its kept neighbourhoods after the load (`GET /health`):", "",
        shares.stream().map(h -> "- " + h).collect(java.util.stream.Collectors.joining("\n")), "",
        variants.isEmpty() ? "" : String.join("\n", variants) + "\n",
        "DuckDB while a streaming job holds the file, `GET /health` answers: `" + answer.replaceAll("\\s+", " ") + "`")));
  }

  private static Map<String, ProcessHandle> cpuNames(Serve serve, Process job) {
    Map<String, ProcessHandle> named = new java.util.LinkedHashMap<>();
    named.put("serve", serve.process.toHandle());
    named.put("benchmark JVM", ProcessHandle.current());
    if (job != null) {
      named.put("job", job.toHandle());
    }
    return named;
  }

  /** The PostgreSQL rows: the store while a Flink job learns, each cache setting; then the same store with no writer. */
  private void servingPostgres(List<String> rows, List<String> single, List<String> cpus, List<String> shares,
      List<String> variants) throws Exception {
    Live live = Live.start(tmp, "FlinkRunner", "serve-flink", SERVE_RATE);
    try {
      live.awaitKeepingUp();
      List<String> users = knownUsers(live.sink);
      // Each serve setting against the same live store, one after the other in this run.
      for (long cache : CACHE_MILLIS) {
        String store = "PostgreSQL 16, the Flink job learning from " + String.format("%,d", SERVE_RATE)
            + " events/s, `--cacheMillis=" + cache + "`";
        try (Serve serve = Serve.start(live.sink, "serve-pg-" + cache, "--cacheMillis=" + cache)) {
          single.add(Load.oneAtATime(serve.url, i -> "/recommendations/" + users.get(i * 7919 % users.size())
              + "?n=10", 2000).singleRow(store));
          shares.add(underLoad(serve, store, users, live.job, rows, cpus));
        }
      }
      if (SERVE_VARIANTS.size() > 1) {
        variants.addAll(servingVariants(live, users));
      }
      if (JOB_NICE > 0) {
        int threads = Niceness.lower(live.job.toHandle(), JOB_NICE);
        servingWithTheJobNiced(live, users, "at `nice " + JOB_NICE + "`", threads + " of the job's threads lowered",
            rows, cpus, shares);
        int sessions = Niceness.lowerDatabaseSessions(live.job.toHandle(), Postgres.port(), JOB_NICE);
        servingWithTheJobNiced(live, users, "and its database sessions at `nice " + JOB_NICE + "`",
            sessions + " of PostgreSQL's backends lowered", rows, cpus, shares);
      }
    } finally {
      live.stop();
    }
    // The same store with no job writing: what the API does on this machine when it is the only
    // service besides its database and the load.
    for (long cache : CACHE_MILLIS.subList(CACHE_MILLIS.size() - 1, CACHE_MILLIS.size())) {
      String store = "PostgreSQL 16, the same store after the job stopped, `--cacheMillis=" + cache + "`";
      List<String> users = knownUsers(live.sink);
      try (Serve serve = Serve.start(live.sink, "serve-pg-idle-" + cache, "--cacheMillis=" + cache)) {
        Load.oneAtATime(serve.url, i -> "/recommendations/" + users.get(i * 7919 % users.size()) + "?n=10", 300);
        shares.add(underLoad(serve, store, users, null, rows, cpus));
      }
    }
  }

  /**
   * The three loads against one serve: a reply that reads no store, one that reads one row, and
   * lists; each into its table. Returns what serve says of its kept neighbourhoods afterwards.
   */
  private static String underLoad(Serve serve, String store, List<String> users, Process job, List<String> rows,
      List<String> cpus) throws Exception {
    Load page = Load.run(serve.url, i -> "/openapi.json");
    Load health = Load.run(serve.url, i -> "/health");
    CpuShares cpu = CpuShares.start(cpuNames(serve, job));
    Load recs = Load.run(serve.url, i -> "/recommendations/" + users.get(i % users.size()) + "?n=10");
    cpus.add("| " + store + " | " + cpu.since() + " | " + recs.pauses(serve.gcLog) + " |");
    rows.add(recs.row(store, page, health));
    return store + ": " + JSON.readTree(get(serve.url + "/health").body()).path("neighbourhoods");
  }

  /**
   * Serve's JVM options against each other ({@code bench.recs.serveVariants}), the last cache
   * setting, the same live store and job, rounds interleaved (A B A B ...): the median p99 of each,
   * with its range, its /health floor and its longest GC pause.
   */
  private List<String> servingVariants(Live live, List<String> users) throws Exception {
    long cache = CACHE_MILLIS.get(CACHE_MILLIS.size() - 1);
    Map<String, List<double[]>> results = new java.util.LinkedHashMap<>();
    for (int round = 1; round <= ROUNDS; round++) {
      for (String variant : SERVE_VARIANTS) {
        List<String> jvm = variant.isBlank() ? List.of() : Arrays.asList(variant.trim().split("\\s+"));
        try (Serve serve = Serve.start(live.sink, "serve-variant-" + round + "-" + SERVE_VARIANTS.indexOf(variant), jvm,
            "--cacheMillis=" + cache)) {
          Load.oneAtATime(serve.url, i -> "/recommendations/" + users.get(i * 7919 % users.size()) + "?n=10", 300);
          Load health = Load.run(serve.url, i -> "/health");
          Load recs = Load.run(serve.url, i -> "/recommendations/" + users.get(i % users.size()) + "?n=10");
          results.computeIfAbsent(variant, v -> new ArrayList<>()).add(new double[] {
              recs.p(50), recs.p(99), recs.p(100), health.p(99), GcPauses.longest(serve.gcLog, recs.from, recs.to)});
        }
      }
    }
    List<String> lines = new ArrayList<>(List.of("",
        "Serve's JVM options against each other: " + ROUNDS + " interleaved rounds against the same live store, the Flink"
            + " job learning from " + String.format("%,d", SERVE_RATE) + " events/s, `--cacheMillis=" + cache
            + "`; medians (min–max):", "",
        "| serve's JVM options | p50 | p99 | max | /health p99 (baseline) | longest GC pause of serve"
            + " | p99 over the 25 ms target |",
        "|---|---:|---:|---:|---:|---:|---:|"));
    results.forEach((variant, runs) -> lines.add(String.format("| %s | %s | %s | %s | %s | %s | %.2f |",
        variant.isBlank() ? "the launcher's (G1, default heap)" : "`" + variant.trim() + "`",
        spread(runs, 0), spread(runs, 1), spread(runs, 2), spread(runs, 3), spread(runs, 4), median(runs, 1) / 25.0)));
    return lines;
  }

  private static double median(List<double[]> runs, int column) {
    return percentile(runs.stream().map(r -> r[column]).toList(), 50);
  }

  private static String spread(List<double[]> runs, int column) {
    List<Double> values = runs.stream().map(r -> r[column]).sorted().toList();
    return String.format("%.1f ms (%.1f–%.1f)", median(runs, column), values.get(0), values.get(values.size() - 1));
  }

  /**
   * The last cache setting again, the job's every thread lowered to {@code bench.recs.jobNice} (the
   * same live store and job, after the rows at the default priority: a process cannot raise its
   * priority back): what the API gets when the machine gives the learner what serving leaves.
   */
  private void servingWithTheJobNiced(Live live, List<String> users, String how, String lowered, List<String> rows,
      List<String> cpus, List<String> shares) throws Exception {
    int progressBefore = live.progressLines(0).size();
    long cache = CACHE_MILLIS.get(CACHE_MILLIS.size() - 1);
    String store = "PostgreSQL 16, the Flink job learning from " + String.format("%,d", SERVE_RATE)
        + " events/s " + how + ", `--cacheMillis=" + cache + "`";
    try (Serve serve = Serve.start(live.sink, "serve-pg-nice-" + rows.size(), "--cacheMillis=" + cache)) {
      Load.oneAtATime(serve.url, i -> "/recommendations/" + users.get(i * 7919 % users.size()) + "?n=10", 300);
      String kept = underLoad(serve, store, users, live.job, rows, cpus);
      List<String> progress = live.progressLines(progressBefore);
      long keepingUp = progress.stream().filter(l -> l.endsWith("keeping up)")).count();
      shares.add(kept + "; " + lowered + "; the job's progress lines meanwhile: " + keepingUp + " of "
          + progress.size() + " keeping up"
          + (progress.isEmpty() ? "" : ", the last: `" + progress.get(progress.size() - 1) + "`"));
    }
  }

  /** The DuckDB rows: a batch run's file with no writer; and what serve answers for a file a streaming job holds. */
  private String servingDuckDb(List<String> rows, List<String> single) throws Exception {
    Path file = tmp.resolve("recs.duckdb");
    Process batch = launcher("duckdb-batch", "recommendations", "--runner=FlinkRunner",
        "--interactions=" + FEED + "&events=200000", "--sink=duckdb:" + file);
    assertTrue(batch.waitFor(10, TimeUnit.MINUTES) && batch.exitValue() == 0, "the batch run into DuckDB failed");
    List<String> listeners = knownUsers("duckdb:" + file);
    for (long cache : CACHE_MILLIS) {
      String store = "DuckDB, a batch run's file, no writer, `--cacheMillis=" + cache + "`";
      try (Serve serve = Serve.start("duckdb:" + file, "serve-duckdb-" + cache, "--cacheMillis=" + cache)) {
        List<String> users = listeners;
        single.add(Load.oneAtATime(serve.url, i -> "/recommendations/" + users.get(i * 7919 % users.size())
            + "?n=10", 2000).singleRow(store));
        Load page = Load.run(serve.url, i -> "/openapi.json");
        Load health = Load.run(serve.url, i -> "/health");
        Load recs = Load.run(serve.url, i -> "/recommendations/" + users.get(i % users.size()) + "?n=10");
        rows.add(recs.row(store, page, health));
      }
    }

    // DuckDB while a streaming job holds the file: what serve answers.
    Path held = tmp.resolve("held.duckdb");
    KafkaFeed feed = KafkaFeed.start("serve-duckdb-live", FEED, 200, 600);
    Process writer = launcher("duckdb-stream", "recommendations", "--streaming",
        "--interactions=" + feed.sourceUri("recs-duckdb"), "--sink=duckdb:" + held);
    String answer;
    try {
      Await.until("the streaming job to create its DuckDB file", Duration.ofMinutes(2), () -> Files.exists(held), b -> b);
      try (Serve serve = Serve.start("duckdb:" + held, "serve-duckdb-held")) {
        answer = Await.until("serve's answer", Duration.ofSeconds(60), () -> get(serve.url + "/health"),
            r -> r.statusCode() != 0).body();
      }
    } finally {
      writer.destroyForcibly().waitFor();
      feed.stopFeeding();
    }

    return answer;
  }

  /** A streaming recommendations job in a JVM of its own, fed live, into a new PostgreSQL database. */
  private static final class Live {
    final KafkaFeed feed;
    final Path catalog;
    final String sink;
    final Process job;
    final Path log;

    private Live(KafkaFeed feed, Path catalog, String sink, Process job, Path log) {
      this.feed = feed;
      this.catalog = catalog;
      this.sink = sink;
      this.job = job;
      this.log = log;
    }

    static Live start(Path tmp, String runner, String name, long rate) throws Exception {
      KafkaFeed feed = KafkaFeed.start("recs-" + name, FEED, rate, 3600);
      Path catalog = TempFiles.newFolder(tmp, name + "-catalog");
      MeshCatalog.init(catalog);
      String sink = Postgres.sinkUri(Postgres.newDatabase("recs_" + name.replace('-', '_')));
      Process job = launcher(name, "recommendations", "--runner=" + runner, "--streaming",
          "--interactions=mesh://interactions?catalog=" + catalog + "&bootstrap=" + feed.bootstrap() + "&topic="
              + feed.topic() + "&start=latest",
          "--sink=" + sink, "--updateInterval=" + UPDATE_INTERVAL, "--progressSeconds=10");
      return new Live(feed, catalog, sink, job, logOf(name));
    }

    /** Until the job's progress line says it keeps up with the feed. */
    void awaitKeepingUp() throws Exception {
      Await.until("the job to keep up with the feed", Duration.ofMinutes(3), () -> {
        assertTrue(job.isAlive(), "the job ended");
        List<String> lines = progressLines(0);
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
      }, line -> line.endsWith("keeping up)"));
    }

    /** Whether the job's progress line says it keeps up with the feed within 3 minutes. */
    boolean keepsUp() throws Exception {
      try {
        awaitKeepingUp();
        return true;
      } catch (AssertionError e) {
        if (!job.isAlive()) {
          throw e;
        }
        return false;
      }
    }

    /** The job's progress lines from the {@code from}-th on ("[   10s] read ... (3 min ahead, keeping up)"). */
    List<String> progressLines(int from) throws Exception {
      List<String> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith("[")).toList();
      return lines.subList(Math.min(from, lines.size()), lines.size());
    }

    void stop() throws Exception {
      job.toHandle().descendants().forEach(ProcessHandle::destroyForcibly); // a forked Flink JVM, if any
      job.destroyForcibly().waitFor();
      feed.stopFeeding();
    }
  }

  /** {@code ./meshflow serve} in a JVM of its own. */
  private static final class Serve implements AutoCloseable {
    final Process process;
    final String url;
    final Path gcLog;

    private Serve(Process process, String url, Path gcLog) {
      this.process = process;
      this.url = url;
      this.gcLog = gcLog;
    }

    static Serve start(String store, String name, String... options) throws Exception {
      return start(store, name, List.of(), options);
    }

    static Serve start(String store, String name, List<String> jvm, String... options) throws Exception {
      int port;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        port = s.getLocalPort();
      }
      List<String> args = new ArrayList<>(List.of("serve", "--store=" + store, "--port=" + port));
      args.addAll(List.of(options));
      Process p = launcher(name, jvm, args.toArray(String[]::new));
      String url = "http://127.0.0.1:" + port;
      Await.until("serve to listen", Duration.ofSeconds(60), () -> {
        assertTrue(p.isAlive(), "serve ended");
        try {
          return get(url + "/openapi.json").statusCode();
        } catch (java.io.IOException notListeningYet) {
          return -1;
        }
      }, s -> s == 200);
      return new Serve(p, url, gcLogOf(name));
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** Open-loop load: request i is due at start + i / RPS; its latency counts from then. */
  private static final class Load {
    final double[] millis;
    final long errors;
    /** The measured stretch (after the warm-up) and the load client's own GC over it, for {@link #pauses}. */
    Instant from = Instant.EPOCH;
    Instant to = Instant.EPOCH;
    long clientGcs;
    long clientGcMillis;

    private Load(double[] millis, long errors) {
      this.millis = millis;
      this.errors = errors;
    }

    /** "12 pauses, longest 8.1 ms, 40 ms in all; 3 collections, 25 ms in all": a stall either side counts as latency. */
    String pauses(Path serveGcLog) throws IOException {
      return GcPauses.during(serveGcLog, from, to) + "; " + String.format("%d collections, %d ms in all", clientGcs,
          clientGcMillis);
    }

    static Load run(String url, java.util.function.IntFunction<String> path) throws Exception {
      int warmup = RPS * 5;
      int total = warmup + RPS * SECONDS;
      double[] latencies = new double[total];
      AtomicLong errors = new AtomicLong();
      ExecutorService senders = Executors.newFixedThreadPool(64);
      long start = System.nanoTime() + 100_000_000L;
      long intervalNanos = 1_000_000_000L / RPS;
      Instant measuredFrom = null;
      long[] gcAtStart = null;
      for (int i = 0; i < total; i++) {
        long due = start + i * intervalNanos;
        LockSupport.parkNanos(due - System.nanoTime()); // pacing the schedule, not awaiting a condition
        if (i == warmup) {
          measuredFrom = Instant.now();
          gcAtStart = GcPauses.ofThisJvm();
        }
        int n = i;
        senders.execute(() -> {
          try {
            HttpResponse<String> reply = get(url + path.apply(n));
            if (reply.statusCode() != 200) {
              errors.incrementAndGet();
            }
          } catch (Exception e) {
            errors.incrementAndGet();
          }
          latencies[n] = (System.nanoTime() - due) / 1e6;
        });
      }
      senders.shutdown();
      if (!senders.awaitTermination(2, TimeUnit.MINUTES)) {
        // Requests still queued two minutes after the last was due: the table shows the overload.
        errors.addAndGet(senders.shutdownNow().size());
      }
      double[] measured = Arrays.copyOfRange(latencies, warmup, total);
      for (int i = 0; i < measured.length; i++) {
        if (measured[i] == 0) {
          measured[i] = Double.POSITIVE_INFINITY; // never answered
        }
      }
      Load load = new Load(measured, errors.get());
      long[] gcAtEnd = GcPauses.ofThisJvm();
      load.from = measuredFrom;
      load.to = Instant.now();
      load.clientGcs = gcAtEnd[0] - gcAtStart[0];
      load.clientGcMillis = gcAtEnd[1] - gcAtStart[1];
      return load;
    }

    /** Closed loop: {@code count} requests one after another (300 more before, not counted). */
    static Load oneAtATime(String url, java.util.function.IntFunction<String> path, int count) throws Exception {
      int warmup = 300;
      double[] measured = new double[count];
      long errors = 0;
      for (int i = 0; i < warmup + count; i++) {
        long start = System.nanoTime();
        errors += get(url + path.apply(i)).statusCode() == 200 ? 0 : 1;
        if (i >= warmup) {
          measured[i - warmup] = (System.nanoTime() - start) / 1e6;
        }
      }
      return new Load(measured, errors);
    }

    /** Requests a second one at a time: the API's capacity on one connection. */
    double perSecond() {
      return 1000.0 * millis.length / Arrays.stream(millis).sum();
    }

    String singleRow(String store) {
      return String.format("| %s | %.1f ms | %.1f ms | %.1f ms | %d | %.0f |", store, p(50), p(95), p(99), errors,
          perSecond());
    }

    double p(double percentile) {
      List<Double> values = new ArrayList<>();
      for (double v : millis) {
        values.add(v);
      }
      return percentile(values, percentile);
    }

    /** {@code page}: a reply that reads no store; {@code floor}: one that reads one row. */
    String row(String store, Load page, Load floor) {
      return String.format("| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %d | %.1f ms | %.1f ms | %.2f | %.2f |", store,
          p(50), p(95), p(99), p(100), errors, page.p(99), floor.p(99), p(99) / floor.p(99), p(99) / 25.0);
    }
  }

  /** When each probe event reached a plain consumer of the topic: the broker's share of freshness. */
  private static final class Arrivals implements AutoCloseable {
    private final Map<String, Long> at = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private Arrivals(KafkaFeed feed) {
      Properties p = new Properties();
      p.put("bootstrap.servers", feed.bootstrap());
      p.put("key.deserializer", StringDeserializer.class.getName());
      p.put("value.deserializer", StringDeserializer.class.getName());
      p.put("fetch.max.wait.ms", "5");
      thread = new Thread(() -> {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
          List<TopicPartition> partitions = consumer.partitionsFor(feed.topic()).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
          consumer.assign(partitions);
          consumer.seekToEnd(partitions);
          while (running.get()) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(20))) {
              if (r.value().contains("\"play-probe-")) {
                long now = System.nanoTime();
                at.put(eventId(r.value()), now);
              }
            }
          }
        }
      }, "probe-arrivals");
      thread.start();
    }

    static Arrivals watch(KafkaFeed feed) {
      return new Arrivals(feed);
    }

    Long at(String eventId) throws Exception {
      return Await.until(eventId + " on the topic", Duration.ofSeconds(10), () -> at.get(eventId), v -> v != null);
    }

    private static String eventId(String json) {
      try {
        return JSON.readTree(json).get("event_id").asText();
      } catch (Exception e) {
        return "";
      }
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      thread.join();
    }
  }

  /**
   * Seconds from {@code posted} until the user's list is led by "because you played item", or -1;
   * read every 100 ms.
   */
  private static double untilServed(String api, String user, String item, long posted) throws Exception {
    long deadline = posted + PROBE_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> reply = get(api + "/recommendations/" + user + "?n=10");
      if (reply.statusCode() == 200) {
        JsonNode body = JSON.readTree(reply.body());
        JsonNode items = body.get("items");
        boolean left = true;
        for (JsonNode i : items) {
          left &= !i.get("item_id").asText().equals(item);
        }
        if (body.get("known_user").asBoolean() && left && items.size() > 0
            && items.get(0).get("because").asText().equals("because you played " + item)) {
          return (System.nanoTime() - posted) / 1e9;
        }
      }
      // The probe's poll period: each poll ranks a list, so polling faster loads the machine it measures.
      LockSupport.parkNanos(100_000_000L);
    }
    return -1;
  }

  /** Songs with co-listened neighbours: a play of one gives a list that names it. */
  private static List<String> seeds(String api) throws Exception {
    return Await.until("songs with co-listened neighbours", Duration.ofMinutes(2), () -> {
      List<String> out = new ArrayList<>();
      for (JsonNode item : JSON.readTree(get(api + "/trending?n=50&type=song").body()).get("items")) {
        String id = item.get("item_id").asText();
        if (JSON.readTree(get(api + "/items/" + id + "/similar?n=1").body()).path("items").size() > 0) {
          out.add(id);
        }
      }
      return out;
    }, out -> out.size() >= 10);
  }

  /** Up to 1,000 listeners the store knows, once it knows 200 (read before serve opens a DuckDB file). */
  private static List<String> knownUsers(String store) throws Exception {
    try (ReadOnlyConnections connections = new ReadOnlyConnections(Endpoints.sink(store), 1)) {
      return Await.until("200 listeners in the store", Duration.ofMinutes(3), () -> connections.with(c -> {
        List<String> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT user_id FROM " + RecommendationTables.USER_HISTORY
            + " ORDER BY user_id LIMIT ?")) {
          st.setInt(1, 1000);
          try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
        }
        return out;
      }), users -> users.size() >= 200);
    }
  }

  private static Path logOf(String name) {
    return Path.of("target/benchmarks", "recommendations-" + name + ".log");
  }

  private static Path gcLogOf(String name) {
    return Path.of("target/benchmarks", "recommendations-" + name + ".gc.log");
  }

  /** The launcher in a JVM of its own, as ./meshflow starts it, its output in target/benchmarks/recommendations-NAME.log. */
  private static Process launcher(String name, String... args) throws Exception {
    return launcher(name, List.of(), args);
  }

  /** As {@link #launcher(String, String...)}, with {@code jvmOptions} added to the JVM's own. */
  private static Process launcher(String name, List<String> jvmOptions, String... args) throws Exception {
    Path log = logOf(name);
    Files.createDirectories(log.getParent());
    // As ./meshflow starts it: the JVM's own heap size and compilers, not the tests' quick start.
    // -Dbench.recs.jfr=true: a flight recording of each serve JVM beside its log, to see where its time goes.
    List<String> jvm = new ArrayList<>(jvmOptions);
    if (name.startsWith("serve-")) {
      jvm.add("-Xlog:gc,gc+phases:file=" + gcLogOf(name) + ":time"); // its pauses, set against each load's stretch
      if (Boolean.getBoolean("bench.recs.jfr")) {
        jvm.add("-XX:StartFlightRecording=settings=profile,filename=" + log.resolveSibling(name + ".jfr"));
      }
    }
    // classes=DIR among the options: serve from another build's classes (an earlier commit's
    // target/classes), so that two versions of the code compare in one run.
    String classes = jvm.stream().filter(o -> o.startsWith("classes=")).map(o -> o.substring(8)).findFirst().orElse(null);
    jvm.removeIf(o -> o.startsWith("classes="));
    List<String> command = new ArrayList<>(JavaCommand.of(jvm, "dev.meshflow.launcher.Main", List.of(args)));
    if (classes != null) {
      int cp = command.indexOf("-cp") + 1;
      String ours = Path.of("target", "classes").toAbsolutePath().toString();
      command.set(cp, Arrays.stream(command.get(cp).split(java.io.File.pathSeparator))
          .map(entry -> Path.of(entry).toAbsolutePath().toString().equals(ours) ? classes : entry)
          .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
    }
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return ServedLists.get(url);
  }

  /** The nearest-rank percentile; 100 is the maximum; NaN for none. */
  private static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
