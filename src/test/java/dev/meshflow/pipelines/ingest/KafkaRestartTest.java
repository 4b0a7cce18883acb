package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.io.sql.BufferedUpsertFn;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.JavaCommand;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.StreamedEtl;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.testing.services.RestartablePostgres;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults around a streaming {@code ingest}. On Flink, killed with {@code kill -9} (the launcher in
 * its own JVM) after its first checkpoint and started again with the same group, it resumes from
 * the offsets of its last checkpoint (the launcher checkpoints Flink streams by default; before
 * that, nothing was committed and a restart re-read the whole topic), reads again exactly what the
 * killed run had read past that checkpoint, and ends with the batch model's tables; on Direct,
 * which commits only once a run has finished, the restart reads the topic again. With its Kafka
 * broker stopped and started again under it, it waits and reads on; with its PostgreSQL stopped
 * and started again under it, its sink retries and writes on.
 */
public class KafkaRestartTest {
  private static final int EVENTS = 100_000;
  private static final int PARTITIONS = 4;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=11&duplicates=0.03&malformed=0.02&outOfOrder=0.3&late=0.01&items=40&users=300";
  private static final Pattern READ = Pattern.compile("\\bread\\s+([\\d,]+) records");
  private static final Path PROJECT = Paths.get("").toAbsolutePath();

  @TempDir Path tmp;

  @Test
  public void flinkJobKilledMidRunResumesFromItsCheckpointAndEndsWithTheBatchResult() throws Exception {
    int events = 50_000;
    String generator = GENERATOR.replace("events=" + EVENTS, "events=" + events);
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(generator, events);
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "restart-flink";
    String db = Postgres.newDatabase("restart_flink");
    String group = "restart";
    List<String> command = launcher("ingest", "--runner=FlinkRunner", "--streaming",
        caughtUpSource(kafka, topic, records, group),
        "--sink=" + Postgres.sinkUri(db), "--checkpointingInterval=1000", "--parallelism=2");

    long committedAtKill = killWhen(command, "first.log", "a checkpoint's offsets committed",
        () -> committed(kafka, topic, group), n -> n > 0);
    long committed = committed(kafka, topic, group);
    assertTrue(committed < events, "killed before the end: " + committed + " of " + events + " committed");
    assertTrue(committed >= committedAtKill);

    String log = runToEnd(command, "second.log");
    assertTrue(log.contains("meshflow: resuming from"), "the restart says it resumes:\n" + last(log));
    Matcher read = READ.matcher(log);
    assertTrue(read.find(), "no read count in the summary:\n" + last(log));
    long reread = Long.parseLong(read.group(1).replace(",", ""));
    // The restored readers start at their checkpoint's offsets; the group's commit of that
    // checkpoint follows it, so it may still be one checkpoint behind.
    assertTrue(reread > 0 && reread <= events - committed, "the restart reads from the last checkpoint, not the start: read " + reread
        + " of " + events + ", " + committed + " committed");
    assertEquals(events, committed(kafka, topic, group), "every offset committed at the end");
    IngestEtlModel.Result expected = IngestEtlModel.run(records, EtlSpec.identity(), null);
    StreamedEtl.assertMatchesModel(Tables.postgres(db), expected,
        GeneratedInput.plantedLate(generator, events));
  }

  /**
   * A windowed job on Flink, killed with {@code kill -9} after its first checkpoint and started
   * again, resumes its state from that checkpoint: the windows open at the kill keep the counts read
   * before it, and {@code item_minute_stats} ends equal to the model's. Before, the restart resumed
   * the Kafka offsets but started with empty windows.
   */
  @Test
  public void flinkWindowedJobKilledMidRunResumesItsOpenWindowsFromItsCheckpoint() throws Exception {
    String generator = GENERATOR.replace("&late=0.01", "&late=0");
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(generator, EVENTS);
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "restart-windows";
    String db = Postgres.newDatabase("restart_windows");
    Tables tables = Tables.postgres(db);
    String group = "restart-windows";
    List<String> command = launcher("interaction-analytics", "--runner=FlinkRunner", "--streaming",
        caughtUpSource(kafka, topic, records, group),
        "--sink=" + Postgres.sinkUri(db), "--checkpointingInterval=1000", "--parallelism=2");

    killWhen(command, "windows-first.log", "a checkpoint's offsets committed",
        () -> committed(kafka, topic, group), n -> n > 0);
    assertTrue(committed(kafka, topic, group) < EVENTS, "killed before the end");

    String log = runToEnd(command, "windows-second.log");
    assertTrue(log.contains("meshflow: resuming from"), "the restart says it resumes:\n" + last(log));
    Diff.assertSameLines("item_minute_stats after the restart",
        Tables.lines(InteractionAnalyticsModel.run(records).stats), tables.itemMinuteStats());
    assertEquals(Set.of(), tables.deadLetterEventIds("late"), "no event late");
  }

  /**
   * The Direct runner finalizes a reader's checkpoint as soon as the records are handed downstream,
   * so with KafkaIO's commit-on-finalize a run killed with {@code kill -9} had committed offsets of
   * records that never reached a table, and a restart with the same group skipped them. On Direct
   * the offsets are now committed only once the run has finished: the killed run committed nothing,
   * the restart reads the whole topic again into the same rows, and ends with the batch result and
   * every offset committed.
   */
  @Test
  public void directJobKilledMidRunCommitsNothingAndTheRestartEndsWithTheBatchResult() throws Exception {
    int events = 20_000;
    String generator = GENERATOR.replace("events=" + EVENTS, "events=" + events);
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(generator, events);
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "restart-direct";
    String db = Postgres.newDatabase("restart_direct");
    Tables tables = Tables.postgres(db);
    String group = "restart-direct";
    List<String> command = launcher("ingest", "--runner=DirectRunner", "--streaming",
        caughtUpSource(kafka, topic, records, group),
        "--sink=" + Postgres.sinkUri(db));

    long before = killWhen(command, "direct-first.log", "a tenth of the backlog in interactions",
        () -> tables.count("SELECT count(*) FROM interactions"), n -> n > events / 10);
    assertTrue(before < events * 9 / 10, "killed mid-run: " + before + " rows of " + events);
    assertEquals(0, committed(kafka, topic, group), "a Direct run commits nothing before it has finished");

    String summary = runToEnd(command, "direct-second.log");
    Matcher read = READ.matcher(summary);
    assertTrue(read.find(), "no read count in the summary:\n" + last(summary));
    assertEquals(events,
        Long.parseLong(read.group(1).replace(",", "")), "the restart reads the whole topic again");
    assertTrue(summary.contains("conservation  read") && !summary.contains("MISMATCH")
            && summary.contains("Kafka group " + group + ": offsets of " + PARTITIONS + " partition(s) committed"), "the summary conserves and says where the offsets went:\n" + last(summary));
    assertEquals(events, committed(kafka, topic, group), "every offset committed once the run finished");
    StreamedEtl.assertMatchesModel(tables, IngestEtlModel.run(records, EtlSpec.identity(), null),
        GeneratedInput.plantedLate(generator, events));
  }

  /**
   * The broker is stopped in the middle of a run and started again on the same ports and data:
   * the job waits, reconnects by itself and reads the rest of the backlog. While the broker is away
   * no partition counts as idle, so no event still in the topic becomes late. On the Direct
   * runner, whose pace (one to two thousand records a second here) leaves time to stop the broker
   * mid-read.
   */
  @Test
  public void aBrokerRestartedUnderARunningJobIsWaitedForAndTheJobReadsOn() throws Exception {
    int events = 24_000;
    String generator = GENERATOR.replace("events=" + EVENTS, "events=" + events);
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(generator, events);
    Path dir = TempFiles.newFolder(tmp, "kafka");
    int port = freePort();
    int controllerPort = freePort();
    KafkaBroker kafka = KafkaBroker.start(dir, port, controllerPort);
    String topic = "broker-restart";
    kafka.createTopic(topic, PARTITIONS);
    kafka.produceKeyedByEventId(topic, records);
    String db = Postgres.newDatabase("broker_restart");
    Tables tables = Tables.postgres(db);
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(
        "DirectRunner", "--source=kafka://" + kafka.bootstrap() + "/" + topic + "?group=g&until=caughtUp",
        "--sink=" + Postgres.sinkUri(db), "--streaming=true")).as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    try {
      long before = Await.until("a tenth of the backlog in interactions", Duration.ofMinutes(2),
          () -> tables.count("SELECT count(*) FROM interactions"), n -> n > events / 10);
      kafka.stop();
      kafka = KafkaBroker.start(dir, port, controllerPort);
      assertTrue(before < events * 9 / 10, "stopped mid-read: " + before + " rows of " + events);
      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    } finally {
      kafka.stop();
    }
    RunCounts counts = RunCounts.of(result);
    assertEquals(events, counts.read(), "read every record, before and after the restart");
    assertTrue(counts.conserved(IngestPipeline.PIPELINE.spec(options).conservation()), "conserved: " + counts);
    StreamedEtl.assertMatchesModel(tables, IngestEtlModel.run(records, EtlSpec.identity(), null),
        GeneratedInput.plantedLate(generator, events));
  }

  /**
   * PostgreSQL is stopped under a running sink and started again on the same port and data. The
   * sink retries each waiting batch with backoff (the summary counts the attempts), every batch is
   * one transaction, so none is half-applied, and the job ends with the model's tables and
   * conserved counts. Before, the first lost connection failed the job.
   */
  @Test
  public void aPostgresRestartedUnderARunningSinkIsRetriedAndNoBatchIsHalfApplied() throws Exception {
    int events = 24_000;
    String generator = GENERATOR.replace("events=" + EVENTS, "events=" + events);
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(generator, events);
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "postgres-restart";
    kafka.createTopic(topic, PARTITIONS);
    kafka.produceKeyedByEventId(topic, records);
    try (RestartablePostgres pg = RestartablePostgres.start(TempFiles.newFolder(tmp, "pg"))) {
      pg.createDatabase("sink_restart");
      Tables tables = Tables.postgres(pg, "sink_restart");
      IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(
          "DirectRunner", "--source=kafka://" + kafka.bootstrap() + "/" + topic + "?group=g&until=caughtUp",
          "--sink=" + tables.sinkUri(), "--streaming=true")).as(IngestPipeline.Options.class);
      PipelineResult result = IngestPipeline.run(options);
      long before = Await.until("a tenth of the backlog in interactions", Duration.ofMinutes(2),
          () -> tables.count("SELECT count(*) FROM interactions"), n -> n > events / 10);
      pg.stop(); // returns once the server is down
      long retriesBefore = localRetries();
      Await.until("the sink retrying while the database is down", Duration.ofMinutes(1),
          () -> {
            result.waitUntilFinish(org.joda.time.Duration.millis(1)); // throws the job's failure
            return localRetries() - retriesBefore;
          }, n -> n >= 3);
      pg.start();
      assertTrue(before < events * 9 / 10, "stopped mid-run: " + before + " rows of " + events);
      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

      RunCounts counts = RunCounts.of(result);
      assertTrue(counts.get(BufferedUpsertFn.RETRIES) >= 3, "the summary counts the retries: " + counts);
      assertEquals(events, counts.read());
      assertTrue(counts.conserved(IngestPipeline.PIPELINE.spec(options).conservation()), "conserved: " + counts);
      StreamedEtl.assertMatchesModel(tables, IngestEtlModel.run(records, EtlSpec.identity(), null),
          GeneratedInput.plantedLate(generator, events));
    }
  }

  private static long localRetries() {
    return RunMetrics.localSnapshot().getOrDefault(BufferedUpsertFn.RETRIES, 0L);
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static List<String> launcher(String... args) throws Exception {
    List<String> jvm = new ArrayList<>(List.of("-Xmx1g"));
    jvm.addAll(JavaCommand.QUICK_START);
    return JavaCommand.of(jvm, "dev.meshflow.launcher.Main", List.of(args));
  }

  /** A new topic holding the records, keyed by event id, as a --source read by group until caught up. */
  private static String caughtUpSource(KafkaBroker kafka, String topic,
      List<InteractionAnalyticsModel.Record> records, String group) throws Exception {
    kafka.createTopic(topic, PARTITIONS);
    kafka.produceKeyedByEventId(topic, records);
    return "--source=kafka://" + kafka.bootstrap() + "/" + topic + "?group=" + group + "&until=caughtUp";
  }

  /**
   * Starts the launcher, waits while it runs until {@code probe} satisfies {@code ready}, then kills
   * it with SIGKILL: no shutdown hook, no flush, no final commit. Returns the probe's last value.
   */
  private long killWhen(List<String> command, String logName, String what,
      java.util.concurrent.Callable<Long> probe, java.util.function.LongPredicate ready) throws Exception {
    Path log = TempFiles.newFile(tmp, logName);
    Process run = start(command, log);
    long seen = Await.until(what, Duration.ofMinutes(3), () -> {
      assertTrue(run.isAlive(), "the run ended before it could be killed:\n" + tail(log));
      return probe.call();
    }, ready::test);
    run.destroyForcibly();
    assertTrue(run.waitFor(30, TimeUnit.SECONDS));
    return seen;
  }

  /** Runs the launcher to its end, which must be a success; returns what it printed. */
  private String runToEnd(List<String> command, String logName) throws Exception {
    Path log = TempFiles.newFile(tmp, logName);
    Process run = start(command, log);
    assertTrue(run.waitFor(4, TimeUnit.MINUTES), "the run did not end:\n" + tail(log));
    assertEquals(0, run.exitValue(), "the run failed:\n" + tail(log));
    return Files.readString(log);
  }

  private static Process start(List<String> command, Path log) throws Exception {
    return new ProcessBuilder(command).directory(PROJECT.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String tail(Path log) throws Exception {
    return last(Files.readString(log));
  }

  private static String last(String s) {
    return s.length() < 3000 ? s : s.substring(s.length() - 3000);
  }

  /** The offsets the group has committed, summed over the topic's partitions. */
  private static long committed(KafkaBroker kafka, String topic, String group) throws Exception {
    return kafka.committed(topic, group, PARTITIONS);
  }
}
