package dev.meshflow.benchmarks;

import static dev.meshflow.benchmarks.ChildProcess.median;
import static dev.meshflow.benchmarks.ChildProcess.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.benchmarks.nativeflink.NativeIngest;
import dev.meshflow.benchmarks.nativeflink.NativeInteractionAnalytics;
import dev.meshflow.testing.JavaCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * interaction-analytics and ingest on meshflow's runners against the same jobs written by hand in
 * native Flink ({@link NativeInteractionAnalytics}, {@link NativeIngest}), each a whole JVM started as its user
 * starts it: meshflow through {@code ./meshflow} (the runner's own classpath and the launcher's JVM flags;
 * its class archive off, since native runs without one), native Flink on the Flink runner's classpath plus the benchmark's classes. Rounds
 * interleaved (native, then each runner, again), the median, min and max of wall and CPU time,
 * peak memory and the load average at each round. Every round's tables must equal native's (row
 * count and checksum of item_minute_stats, and the dead-letter count) before a ratio is reported.
 * Start-up is the same comparison over 10 events.
 *
 * <p>{@code mvn -B -Pbenchmarks test -Dtest=NativeFlinkBenchmark [-Dbench.native.events=1000000]
 * [-Dbench.native.rounds=3] [-Dbench.native.runners=FlinkRunner,SparkRunner,DirectRunner]
 * [-Dbench.native.jobs=interaction-analytics,ingest]
 * [-Dbench.native.variants="|--useDataStreamForBatch=true|--flinkConfDir=DIR"]}: each variant,
 * '|'-separated, is one more meshflow job per runner in every round, its options added to the
 * launcher's (tokens starting with -D or -X go to its JVM, MESHFLOW_...=... to its environment; the
 * empty variant is the default). The
 * table is printed and written to target/benchmarks/native-flink-JOB.md.
 * {@code -Dbench.native.classArchives=true} gives both sides a class archive of their own start-up.
 * {@code -Dbench.native.nativeWithLaunchersFlags=true} adds native with the JVM flags the launcher gives a
 * batch run (runners-config/jit-flags and batch-gc-flags) as a row of its own. {@code -Dbench.native.classpath=test}
 * starts both from the test classpath instead (every runner and test library on it), as runs before
 * 2026-12-07 did.
 */
public class NativeFlinkBenchmark {
  private static final long EVENTS = Long.getLong("bench.native.events", 1_000_000);
  private static final int ROUNDS = Integer.getInteger("bench.native.rounds", 3);
  private static final List<String> RUNNERS =
      List.of(System.getProperty("bench.native.runners", "FlinkRunner").split(","));
  private static final List<String> VARIANTS = List.of(System.getProperty("bench.native.variants", "").split("\\|", -1));
  private static final boolean FROM_TEST_CLASSPATH = "test".equals(System.getProperty("bench.native.classpath"));
  /**
   * Also native with the JVM flags the launcher gives a batch run (runners-config/jit-flags and
   * batch-gc-flags), as a row of its own.
   */
  private static final boolean NATIVE_WITH_LAUNCHERS_FLAGS = Boolean.getBoolean("bench.native.nativeWithLaunchersFlags");
  /**
   * Both sides with a class archive of their own start-up: {@code ./meshflow}'s (as users run it) and
   * one native's 10-event warm-up writes. Off by default, since a native Flink job rarely has one.
   */
  private static final boolean WITH_CLASS_ARCHIVES = Boolean.getBoolean("bench.native.classArchives");
  private static final List<String> QUIET_CDS = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
  private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
  private static final List<String> JOBS =
      List.of(System.getProperty("bench.native.jobs", "interaction-analytics,ingest").split(","));

  /**
   * A pipeline and its native twin: what both must write, as the row count and an MD5 over the
   * main table's rows in key order.
   */
  private record Job(String pipeline, Class<?> nativeMain, String checksumQuery) {}

  private static final Map<String, Job> KNOWN = Map.of(
      "interaction-analytics", new Job("interaction-analytics", NativeInteractionAnalytics.class,
          "SELECT count(*), md5(string_agg(concat_ws(',', epoch_ms(window_start), item_id, item_type, plays, skips,"
              + " likes, playlist_adds, unique_users), '|' ORDER BY window_start, item_id)) FROM item_minute_stats"),
      "ingest", new Job("ingest", NativeIngest.class,
          "SELECT count(*), md5(string_agg(concat_ws(',', event_id, epoch_ms(event_ts), " + orNone("user_id")
              + ", item_id, item_type, event_type, " + orNone("device") + ", device_filled, " + orNone("session_id")
              + ", " + orNone("duration_ms") + ", " + orNone("title") + ", " + orNone("artist") + ", "
              + orNone("genre") + ", source_origin), '|' ORDER BY event_id)) FROM interactions"));

  /** A nullable column for the checksum: concat_ws skips nulls, which would let rows collide. */
  private static String orNone(String column) {
    return "coalesce(CAST(" + column + " AS VARCHAR), '(none)')";
  }

  @Test
  public void pipelinesAgainstNativeFlink() throws Exception {
    for (String name : JOBS) {
      Job job = KNOWN.get(name.trim());
      if (job == null) {
        throw new IllegalArgumentException("-Dbench.native.jobs: no native job for '" + name + "'; known: "
            + KNOWN.keySet());
      }
      against(job);
    }
  }

  private void against(Job job) throws Exception {
    Path dir = Files.createTempDirectory("meshflow-native");
    List<String> table = new ArrayList<>(List.of(
        "| events | job | wall s: median (min–max) | CPU s: median (min–max) | peak MB | vs native: wall / CPU |",
        "|---:|---|---:|---:|---:|---:|"));
    List<String> loads = new ArrayList<>();
    if (!FROM_TEST_CLASSPATH) {
      // The launcher builds a runner's classpath on first use: not a round's business.
      for (String runner : new LinkedHashSet<>(concat(List.of("FlinkRunner"), RUNNERS))) {
        meshflow(List.of(), Map.of(), List.of(job.pipeline(), "--runner=" + runner, "--source=generator:interactions?events=10&seed=1",
            "--sink=duckdb:" + dir.resolve("warm-up-" + runner + ".duckdb"), "--progressSeconds=0"), dir.resolve("warm-up.log"));
      }
      if (WITH_CLASS_ARCHIVES) {
        nativeArchive = dir.resolve("native-" + job.pipeline() + ".jsa");
        nativeJob(concat(List.of("-XX:ArchiveClassesAtExit=" + nativeArchive), QUIET_CDS), job.nativeMain(),
            List.of("generator:interactions?events=10&seed=1", dir.resolve("warm-up-native.duckdb").toString()),
            dir.resolve("warm-up.log"));
      }
    }
    for (long events : new long[] {10, EVENTS}) {
      String generator = "generator:interactions?events=" + events + "&seed=42";
      Map<String, List<ChildProcess>> runs = new LinkedHashMap<>();
      for (int round = 0; round < ROUNDS; round++) {
        loads.add(String.format("%.2f", ChildProcess.loadAverage()));
        String nativeDb = dir.resolve("native-" + events + "-" + round + ".duckdb").toString();
        ChildProcess nativeRun = nativeJob(List.of(), job.nativeMain(), List.of(generator, nativeDb), dir.resolve("native.log"));
        runs.computeIfAbsent("native Flink 1.19 DataStream, batch, parallelism 2", k -> new ArrayList<>()).add(nativeRun);
        String expected = checksum(nativeDb, job);
        if (NATIVE_WITH_LAUNCHERS_FLAGS) {
          String tunedDb = dir.resolve("native-jit-" + events + "-" + round + ".duckdb").toString();
          ChildProcess tuned = nativeJob(concat(JavaCommand.launcherFlags("jit-flags"), JavaCommand.launcherFlags("batch-gc-flags")),
              job.nativeMain(), List.of(generator, tunedDb), dir.resolve("native.log"));
          assertEquals(expected, checksum(tunedDb, job), "native with other JVM flags must write the same");
          runs.computeIfAbsent("native Flink, the launcher's JVM flags", k -> new ArrayList<>()).add(tuned);
        }
        for (String runner : RUNNERS) {
          for (int v = 0; v < VARIANTS.size(); v++) {
            String variant = VARIANTS.get(v).trim();
            String db = dir.resolve(runner + "-" + v + "-" + events + "-" + round + ".duckdb").toString();
            List<String> args = new ArrayList<>(List.of(job.pipeline(), "--runner=" + runner,
                "--source=" + generator, "--sink=duckdb:" + db, "--progressSeconds=0"));
            List<String> jvm = new ArrayList<>();
            Map<String, String> env = new LinkedHashMap<>();
            for (String token : variant.isEmpty() ? new String[0] : variant.split("\\s+")) {
              if (token.matches("MESHFLOW_[A-Z_]+=.*")) {
                env.put(token.substring(0, token.indexOf('=')), token.substring(token.indexOf('=') + 1));
              } else {
                (token.startsWith("-D") || token.startsWith("-X") ? jvm : args).add(token);
              }
            }
            ChildProcess run = meshflow(jvm, env, args, dir.resolve(runner + ".log"));
            assertEquals(expected, checksum(db, job), runner + " " + variant + " must write what native Flink writes");
            runs.computeIfAbsent("meshflow on " + runner + (variant.isEmpty() ? "" : ", " + variant),
                k -> new ArrayList<>()).add(run);
          }
        }
      }
      double[] nativeWall = seconds(runs.values().iterator().next(), true);
      double[] nativeCpu = seconds(runs.values().iterator().next(), false);
      runs.forEach((label, list) -> {
        double[] wall = seconds(list, true);
        double[] cpu = seconds(list, false);
        long peak = list.stream().mapToLong(r -> r.peakMegabytes).max().orElse(0);
        table.add(String.format("| %,d | %s | %.1f (%.1f–%.1f) | %.1f (%.1f–%.1f) | %,d | %.2f× / %.2f× |", events, label,
            median(wall), wall[0], wall[wall.length - 1], median(cpu), cpu[0], cpu[cpu.length - 1], peak,
            median(nativeWall) / median(wall), median(nativeCpu) / median(cpu)));
      });
    }
    BenchmarkReport.publish("native-flink-" + job.pipeline() + ".md", String.join("\n", List.of(
        String.format("%s over the generator (seed 42), %d interleaved rounds, each a whole JVM %s;"
            + " load average at each round: %s; %s", job.pipeline(), ROUNDS,
            FROM_TEST_CLASSPATH ? "from the test classpath"
                : WITH_CLASS_ARCHIVES ? "(./meshflow with its class archive; native on the Flink runner's classpath with one of its own)"
                : "(./meshflow without its class archive; native on the Flink runner's classpath)",
            String.join(", ", loads),
            BenchmarkReport.machine()),
        "", String.join("\n", table))));
  }

  /** {@code ./meshflow args} as a user runs it, {@code jvm} in its MESHFLOW_JAVA_OPTS; or from the test classpath. */
  private static ChildProcess meshflow(List<String> jvm, Map<String, String> env, List<String> args, Path log)
      throws Exception {
    if (FROM_TEST_CLASSPATH) {
      return ChildProcess.java(jvm, "dev.meshflow.launcher.Main", args, log);
    }
    Map<String, String> all = new LinkedHashMap<>(
        Map.of("MESHFLOW_CDS", WITH_CLASS_ARCHIVES ? "on" : "off", "MESHFLOW_JAVA_OPTS", String.join(" ", jvm)));
    all.putAll(env);
    return ChildProcess.run(concat(List.of(PROJECT.resolve("meshflow").toString()), args), all, log);
  }

  /** The native job on the Flink runner's classpath (which the launcher wrote) and the compiled classes. */
  private static ChildProcess nativeJob(List<String> jvm, Class<?> main, List<String> args, Path log) throws Exception {
    if (FROM_TEST_CLASSPATH) {
      return ChildProcess.java(jvm, main.getName(), args, log);
    }
    String classes = PROJECT.resolve("target/classes") + ":" + PROJECT.resolve("target/test-classes");
    if (nativeArchive != null) {
      // A class archive takes classes from jars only: the launcher's jar of meshflow's, and the native jobs'.
      Path nativeJar = nativeArchive.resolveSibling("native-classes.jar");
      if (!Files.exists(nativeJar)) {
        String jarTool = Path.of(System.getProperty("java.home"), "bin", "jar").toString();
        Process jar = new ProcessBuilder(jarTool, "cf", nativeJar.toString(), "-C",
            PROJECT.resolve("target/test-classes").toString(), "dev/meshflow/benchmarks/nativeflink").inheritIO().start();
        assertEquals(0, jar.waitFor(), "jar of the native jobs' classes");
      }
      classes = PROJECT.resolve("target/meshflow-classes.jar") + ":" + nativeJar;
    }
    String classpath = classes + ":" + Files.readString(PROJECT.resolve("target/classpath-flink.txt")).trim();
    List<String> flags = jvm;
    if (nativeArchive != null && Files.isRegularFile(nativeArchive)) {
      flags = concat(concat(jvm, List.of("-XX:SharedArchiveFile=" + nativeArchive)), QUIET_CDS);
    }
    return ChildProcess.run(JavaCommand.onClasspath(flags, classpath, main.getName(), args), Map.of(), log);
  }

  /** The native job's class archive, once its warm-up wrote it. */
  private static Path nativeArchive;

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * Rows and checksum of the job's main table, and the dead-letter count: what both must agree on.
   * (meshflow creates dead_letter with its first dead letter.)
   */
  private static String checksum(String db, Job job) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      List<Object> sums = new ArrayList<>();
      try (ResultSet r = s.executeQuery(job.checksumQuery())) {
        r.next();
        sums.addAll(Arrays.asList(r.getLong(1), r.getString(2)));
      }
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_name = 'dead_letter'")) {
        r.next();
        if (r.getLong(1) == 0) {
          sums.add(0L);
          return sums.toString();
        }
      }
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM dead_letter")) {
        r.next();
        sums.add(r.getLong(1));
      }
      return sums.toString();
    }
  }
}
