package dev.meshflow.faults;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.JavaCommand;
import dev.meshflow.pipelines.recommendations.RecommendationsPipeline;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RecommendationStores;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.RunnerBundles;
import dev.meshflow.testing.StreamedEtl;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.FlinkCluster;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.KafkaCluster;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection on a standalone Flink cluster: a JobManager and three TaskManagers, each a process
 * of its own, running the Flink bundle as a user submits it ({@code --flinkMaster}). A streaming
 * job reading a Kafka backlog loses a TaskManager to {@code kill -9} after its first checkpoint;
 * Flink restarts it from that checkpoint on the TaskManagers left, and the tables end exactly as the
 * reference model's. Not in CI's time: {@code mvn -B test -Pfaults}.
 */
public class FlinkClusterFaultsTest {
  private static final int EVENTS = 100_000;
  private static final int PARTITIONS = 4;
  private static final int TASK_MANAGERS = 3;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=21&duplicates=0.03&malformed=0.02&outOfOrder=0.3&late=0&items=40&users=300";

  /** The summary's line when read = written + duplicates + dead letters held (else it says MISMATCH). */
  private static final String CONSERVED = "(?s).*conservation\\s+read [\\d,]+ = .*duplicates \\+ dead letters\\n.*";

  @TempDir static Path tmp;
  private static File bundle;
  private static FlinkCluster cluster;
  private static KafkaBroker kafka;
  private static List<InteractionAnalyticsModel.Record> records;

  @BeforeAll
  public static void startCluster() throws Exception {
    bundle = RunnerBundles.build("flink", tmp);
    // Three: a job of parallelism 2 that loses one still finds free slots at once, as a
    // production cluster keeps spare ones (with two, a restart once found no resources).
    cluster = FlinkCluster.start(tmp.resolve("cluster"), 0, TASK_MANAGERS, List.of());
    kafka = KafkaBroker.shared();
    records = GeneratedInput.records(GENERATOR, EVENTS);
  }

  @AfterAll
  public static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Each test starts with every TaskManager. */
  @AfterEach
  public void everyTaskManagerAgain() throws Exception {
    for (int i = 0; i < TASK_MANAGERS; i++) {
      if (!cluster.taskManagerAlive(i)) {
        cluster.startTaskManager(i);
      }
    }
    cluster.awaitTaskManagers(TASK_MANAGERS);
  }

  @Test
  public void aTaskManagerKilledMidIngestIsReplacedFromTheLastCheckpointAndTheTableIsExact() throws Exception {
    String db = Postgres.newDatabase("faults_ingest");
    String log = killATaskManagerMidRun("ingest", "faults-ingest", db);
    IngestEtlModel.Result expected = IngestEtlModel.run(records, EtlSpec.identity(), null);
    StreamedEtl.assertMatchesModel(Tables.postgres(db), expected, GeneratedInput.plantedLate(GENERATOR, EVENTS));
    assertThat(log, matchesPattern(CONSERVED));
  }

  @Test
  public void aTaskManagerKilledMidWindowsKeepsTheOpenWindowsCounts() throws Exception {
    String db = Postgres.newDatabase("faults_windows");
    String log = killATaskManagerMidRun("interaction-analytics", "faults-windows", db);
    Diff.assertSameLines("item_minute_stats after a TaskManager was killed",
        Tables.lines(InteractionAnalyticsModel.run(records).stats), Tables.postgres(db).itemMinuteStats());
    assertThat(log, matchesPattern(CONSERVED));
  }

  /**
   * {@code recommendations} streaming on the cluster, its running totals firing every second, loses
   * a TaskManager that runs its tasks after its first checkpoint. Restored from it, the job ends
   * with exactly the store a batch backfill of the same topic writes. A restored job fires its panes from the checkpoint's
   * index again, so rows versioned by pane could lose to the partial totals the lost attempt had
   * written past it (StoreRows.runVersion).
   */
  @Test
  public void aTaskManagerKilledUnderTheRecommendationsStreamLeavesTheBackfillsStore() throws Exception {
    int events = 60_000;
    String generator = "generator:interactions?events=" + events + "&seed=23&taste=1&recs=1&items=60&users=400"
        + "&eventsPerSecond=20&duplicates=0.03&malformed=0.02&outOfOrder=0.3&late=0";
    String topic = "faults-recs";
    kafka.createTopic(topic, PARTITIONS);
    kafka.produceEvenly(topic, GeneratedInput.records(generator, events, (origin, payload) -> payload), PARTITIONS);
    String source = "kafka://" + kafka.bootstrap() + "/" + topic;

    String backfillDb = Postgres.newDatabase("faults_recs_backfill");
    PipelineResult batch = RecommendationsPipeline.run(PipelineOptionsFactory.fromArgs(RunnerArgs.asTheLauncherRuns(
        "DirectRunner", "--interactions=" + source + "?maxRecords=" + events, "--sink=" + Postgres.sinkUri(backfillDb)))
        .as(RecommendationsPipeline.Options.class));
    assertEquals(PipelineResult.State.DONE, batch.waitUntilFinish());
    Map<String, List<String>> backfill = RecommendationStores.dump(Tables.postgres(backfillDb));

    String db = Postgres.newDatabase("faults_recs");
    List<String> command = new ArrayList<>(List.of(javaBin()));
    command.addAll(JavaCommand.launcherFlags("jvm-flags"));
    command.addAll(List.of("-jar", bundle.getPath(), "recommendations", "--runner=FlinkRunner",
        "--flinkMaster=" + cluster.master(), "--parallelism=2", "--streaming",
        // A day's delay: the backlog's event times are months old, and nothing may be late.
        "--interactions=" + source + "?group=" + topic + "&until=caughtUp&maxDelaySeconds=86400",
        "--sink=" + Postgres.sinkUri(db), "--checkpointingInterval=1000", "--updateInterval=1s",
        "--progressSeconds=5"));
    Path logFile = TempFiles.newFile(tmp, topic + ".log");
    Process job = start(command, topic, logFile);
    try {
      long committed = firstCheckpoint(job, logFile, kafka, topic);
      int victim = cluster.taskManagerRunning(cluster.runningJob());
      cluster.killTaskManager(victim);
      System.out.printf("recommendations: TaskManager %d killed with %,d of %,d offsets committed%n", victim, committed,
          events);
      assertTrue(committed < events, "killed before the end");
      assertTrue(job.waitFor(5, TimeUnit.MINUTES), "the job did not end:\n" + RunnerBundles.tail(logFile));
      assertEquals(0, job.exitValue(), "the job failed:\n" + RunnerBundles.tail(logFile));
    } finally {
      job.destroyForcibly();
    }
    FlinkCluster.Jobs jobs = cluster.jobs();
    String id = jobs.ids().get(jobs.ids().size() - 1);
    assertTrue(cluster.checkpointRestores(id) >= 1, "restored from a checkpoint");
    assertEquals(events, kafka.committed(topic, topic, PARTITIONS), "every offset committed at the end");
    RecommendationStores.assertSame(backfill, RecommendationStores.dump(Tables.postgres(db)));
  }

  /**
   * Three Kafka brokers (each partition on all three, two in sync for a write); the broker leading
   * partition 0 is killed with {@code kill -9} under a streaming {@code ingest} on the cluster. The
   * job reads on from the new leaders without a restart, pausing no longer than the election and a
   * few checkpoints, and its table is exact.
   */
  @Test
  public void aKafkaBrokerKilledUnderAStreamingIngestCostsALeaderElectionAndNothingElse() throws Exception {
    try (KafkaCluster brokers = KafkaCluster.start(tmp.resolve("kafka-cluster"), 3)) {
      String topic = "faults-broker";
      String db = Postgres.newDatabase("faults_broker");
      KafkaBroker client = brokers.client();
      Path logFile = TempFiles.newFile(tmp, topic + ".log");
      Process job = start(submitCommand("ingest", topic, db, client), topic, logFile);
      try {
        firstCheckpoint(job, logFile, client, topic);
        int leader = brokers.leaderOf(topic, 0);
        long killed = System.nanoTime();
        brokers.kill(leader);
        long elected = Await.until("a new leader for partition 0", Duration.ofMinutes(1),
            () -> brokers.leaderOf(topic, 0) == leader || brokers.leaderOf(topic, 0) < 0 ? -1L : System.nanoTime(),
            at -> at > 0) - killed;
        // The longest the committed offsets stood still from the kill to the end.
        long[] last = {client.committed(topic, topic, PARTITIONS), System.nanoTime()};
        long[] longestStill = {0};
        Await.until("the job's end", Duration.ofMinutes(5), () -> {
          long committed;
          try {
            committed = client.committed(topic, topic, PARTITIONS);
          } catch (Exception coordinatorMoving) {
            committed = last[0]; // the group's coordinator may have been on the killed node
          }
          long now = System.nanoTime();
          if (committed != last[0]) {
            longestStill[0] = Math.max(longestStill[0], now - last[1]);
            last[0] = committed;
            last[1] = now;
          }
          return !job.isAlive();
        }, ended -> ended);
        String log = Files.readString(logFile);
        assertEquals(0, job.exitValue(), "the job failed:\n" + RunnerBundles.tail(log));
        System.out.printf("broker: node %d killed; partition 0 had a new leader %.1f s later; the offsets stood"
            + " still at most %.1f s%n", leader + 1, elected / 1e9, longestStill[0] / 1e9);

        FlinkCluster.Jobs jobs = cluster.jobs();
        String id = jobs.ids().get(jobs.ids().size() - 1);
        assertEquals(List.of(), cluster.failures(id), "the job went on without a restart");
        assertTrue(longestStill[0] < elected + TimeUnit.SECONDS.toNanos(10),
            "no pause past the election and a few checkpoints: " + longestStill[0] / 1e9 + " s");
        assertEquals(EVENTS, client.committed(topic, topic, PARTITIONS), "every offset committed at the end");
        IngestEtlModel.Result expected = IngestEtlModel.run(records, EtlSpec.identity(), null);
        StreamedEtl.assertMatchesModel(Tables.postgres(db), expected, GeneratedInput.plantedLate(GENERATOR, EVENTS));
        assertThat(log, matchesPattern(CONSERVED));
      } finally {
        job.destroyForcibly();
      }
    }
  }

  /**
   * A streaming {@code interaction-analytics} on the cluster, stopped with a savepoint by
   * {@code ./meshflow stop} in the middle of its backlog, resumes from it with the same command at
   * parallelism 3 (an upgrade: more slots than it had), and ends with exactly the model's table:
   * the windows open at the stop keep their counts, nothing is read twice into them.
   */
  @Test
  public void aJobStoppedWithASavepointResumesAtANewParallelismWithNothingLostOrDoubled() throws Exception {
    String topic = "faults-savepoint";
    String db = Postgres.newDatabase("faults_savepoint");
    List<String> command = submitCommand("interaction-analytics", topic, db);
    Path firstLog = TempFiles.newFile(tmp, topic + "-first.log");
    Process first = start(command, topic + "-first", firstLog);
    String location;
    long committedAtStop;
    try {
      firstCheckpoint(first, firstLog, kafka, topic);
      CliRun stop = CliRun.of(List.of("stop", "--flinkMaster=" + cluster.master(), "--job=interaction-analytics"));
      assertEquals(0, stop.code, stop.err);
      java.util.regex.Matcher savepoint = java.util.regex.Pattern.compile("--savepointPath=(\\S+)").matcher(stop.out);
      assertTrue(savepoint.find(), "the stop prints how to resume: " + stop.out);
      location = savepoint.group(1);
      assertTrue(first.waitFor(2, TimeUnit.MINUTES), "the stopped job's launcher did not end:\n" + RunnerBundles.tail(firstLog));
      assertEquals(0, first.exitValue(), "the stopped job's launcher:\n" + RunnerBundles.tail(firstLog));
      committedAtStop = kafka.committed(topic, topic, PARTITIONS);
      System.out.printf("savepoint: stopped with %,d of %,d offsets committed; %s%n", committedAtStop, EVENTS, location);
    } finally {
      first.destroyForcibly();
    }
    assertTrue(committedAtStop < EVENTS, "stopped before the end");

    List<String> resumed = new ArrayList<>(command);
    resumed.replaceAll(a -> a.equals("--parallelism=2") ? "--parallelism=3" : a);
    resumed.add("--savepointPath=" + location);
    Path secondLog = TempFiles.newFile(tmp, topic + "-second.log");
    Process second = start(resumed, topic + "-second", secondLog);
    try {
      assertTrue(second.waitFor(5, TimeUnit.MINUTES), "the resumed job did not end:\n" + RunnerBundles.tail(secondLog));
      assertEquals(0, second.exitValue(), "the resumed job failed:\n" + RunnerBundles.tail(secondLog));
    } finally {
      second.destroyForcibly();
    }
    assertEquals(EVENTS, kafka.committed(topic, topic, PARTITIONS), "every offset committed at the end");
    Diff.assertSameLines("item_minute_stats after a savepoint and a new parallelism",
        Tables.lines(InteractionAnalyticsModel.run(records).stats), Tables.postgres(db).itemMinuteStats());
    assertThat(Files.readString(secondLog), matchesPattern(CONSERVED));
    FlinkCluster.Jobs jobs = cluster.jobs();
    String id = jobs.ids().get(jobs.ids().size() - 1);
    assertEquals(3, cluster.parallelism(id), "the resumed job's parallelism");
    assertTrue(cluster.checkpointRestores(id) >= 1, "the resumed job started from the savepoint");
  }

  /**
   * Submits {@code pipeline} streaming from a new topic holding the records, until caught up, at
   * parallelism 2 with a checkpoint a second; kills a TaskManager running its tasks once the first
   * checkpoint has committed its offsets; waits for the job to end by itself. Returns what the launcher printed.
   */
  private String killATaskManagerMidRun(String pipeline, String topic, String db) throws Exception {
    Path logFile = TempFiles.newFile(tmp, topic + ".log");
    Process job = start(submitCommand(pipeline, topic, db), topic, logFile);
    String group = topic;
    try {
      long committed = firstCheckpoint(job, logFile, kafka, topic);
      int victim = cluster.taskManagerRunning(cluster.runningJob());
      long pid = cluster.taskManagerPid(victim);
      long killedAt = System.nanoTime();
      cluster.killTaskManager(victim);
      System.out.printf("%s: TaskManager %d (pid %d), which ran its tasks, killed with %,d of %,d offsets committed%n",
          pipeline, victim, pid, committed, EVENTS);
      assertTrue(committed < EVENTS, "killed before the end");
      assertTrue(job.waitFor(5, TimeUnit.MINUTES), "the job did not end:\n" + RunnerBundles.tail(logFile));
      String log = Files.readString(logFile);
      assertEquals(0, job.exitValue(), "the job failed:\n" + RunnerBundles.tail(log));
      assertThat("a progress line says where the job runs", log, matchesPattern(
          "(?s).*running on the Flink cluster at " + java.util.regex.Pattern.quote(cluster.restUrl())
              + "/; its counts come when it ends \\| consumer lag .*"));
      System.out.printf("%s: ended %.1f s after the kill%n", pipeline, (System.nanoTime() - killedAt) / 1e9);

      assertEquals(EVENTS, kafka.committed(topic, group, PARTITIONS), "every offset committed at the end");
      FlinkCluster.Jobs jobs = cluster.jobs();
      String id = jobs.ids().get(jobs.ids().size() - 1);
      assertEquals("FINISHED", jobs.states().get(jobs.states().size() - 1));
      List<String> failures = cluster.failures(id);
      assertFalse(failures.isEmpty(), "the job saw the TaskManager go");
      assertTrue(cluster.checkpointRestores(id) >= 1, "restored from a checkpoint; failures: " + failures);
      System.out.printf("%s: failures %s, restored from a checkpoint %d time(s)%n", pipeline, failures,
          cluster.checkpointRestores(id));
      return log;
    } finally {
      job.destroyForcibly();
    }
  }

  /**
   * The bundle's command for {@code pipeline} on the cluster, streaming a new topic of the records
   * (group: the topic's name) until caught up, at parallelism 2 with a checkpoint a second.
   */
  private static List<String> submitCommand(String pipeline, String topic, String db) throws Exception {
    return submitCommand(pipeline, topic, db, kafka);
  }

  private static List<String> submitCommand(String pipeline, String topic, String db, KafkaBroker kafka)
      throws Exception {
    kafka.createTopic(topic, PARTITIONS);
    kafka.produceKeyedByEventId(topic, records);
    List<String> command = new ArrayList<>(List.of(javaBin()));
    command.addAll(JavaCommand.launcherFlags("jvm-flags"));
    command.addAll(List.of("-jar", bundle.getPath(), pipeline, "--runner=FlinkRunner",
        "--flinkMaster=" + cluster.master(), "--parallelism=2", "--streaming",
        "--source=kafka://" + kafka.bootstrap() + "/" + topic + "?group=" + topic + "&until=caughtUp",
        "--sink=" + Postgres.sinkUri(db), "--checkpointingInterval=1000", "--progressSeconds=5"));
    return command;
  }

  /** Starts a command from a folder of its own (the launcher writes its lineage file where it runs). */
  private static Process start(List<String> command, String name, Path log) throws Exception {
    return new ProcessBuilder(command).directory(TempFiles.newFolder(tmp, name).toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * Waits until the job's first checkpoint has committed offsets of {@code topic} (its group is the
   * topic's name), the moment each test strikes; fails if the job ends before. Returns the offsets.
   */
  private static long firstCheckpoint(Process job, Path log, KafkaBroker brokers, String topic) throws Exception {
    return Await.until("the first checkpoint's offsets committed", Duration.ofMinutes(3), () -> {
      assertTrue(job.isAlive(), () -> "the job ended before the first checkpoint:\n" + RunnerBundles.tail(log));
      return brokers.committed(topic, topic, PARTITIONS);
    }, n -> n > 0);
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
