package dev.meshflow.launcher;

import dev.meshflow.pipelines.ingest.MicroBatchLoadPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Launcher defaults per runner, added only where the user did not set the option: the Direct
 * runner's immutability and encodability checks are off (tests keep them on) and its run() returns
 * at once (the launcher waits and reports progress itself), Flink reuses objects
 * (no transform here mutates its input), and Spark runs on two local cores. On every runner the
 * AWS region is given ({@link AwsRegionDefault}), so that Beam's S3 file system does not ask the
 * EC2 metadata service for it. A pipeline may add its own (see {@link #apply(List, String)}).
 */
public final class RunnerDefaults {
  private RunnerDefaults() {}

  /**
   * Flink streaming checkpoints every 10 s unless told otherwise. Flink's own default is never, and
   * then a restarted job re-reads its whole topic: Kafka offsets are committed only when a
   * checkpoint completes. Ten seconds bounds what a crash re-reads to about ten seconds of input
   * (the sinks are idempotent, so re-reading changes no row) while a checkpoint of this state (event
   * ids within the dedupe window, open windows) stays well under a second.
   */
  public static final long FLINK_CHECKPOINT_MILLIS = 10_000;

  /** Where embedded Flink keeps its checkpoints, under the working directory. */
  public static final java.nio.file.Path FLINK_CHECKPOINTS =
      java.nio.file.Path.of("meshflow-data", "flink-checkpoints");

  /** {@link #FLINK_CHECKPOINTS} as the URI embedded Flink is given ({@link FlinkResume} adds the job's folder). */
  static String flinkCheckpointsUri() {
    return FLINK_CHECKPOINTS.toAbsolutePath().toUri().toString();
  }

  /** A job's launch time in its name: lower case, digits and '-', as Dataflow requires. */
  private static final java.time.format.DateTimeFormatter JOB_TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  /** The runner's short name, lower case: direct, flink, spark or dataflow. */
  public static String runnerOf(List<String> args) {
    String runner = "direct";
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--runner=")) {
        runner = a.substring("--runner=".length());
      } else if (a.equals("--runner") && i + 1 < args.size()) {
        runner = args.get(i + 1);
      }
    }
    String simple = runner.substring(runner.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return simple.endsWith("runner") ? simple.substring(0, simple.length() - 6) : simple;
  }

  /** The pipeline-independent defaults. */
  public static List<String> apply(List<String> args) {
    List<String> out = new ArrayList<>(args);
    addIfAbsent(out, "awsRegion", AwsRegionDefault.region());
    switch (runnerOf(args)) {
      case "direct":
        addIfAbsent(out, "enforceImmutability", "false");
        addIfAbsent(out, "enforceEncodability", "false");
        addIfAbsent(out, "blockOnRun", "false");
        break;
      case "flink":
        addIfAbsent(out, "objectReuse", "true");
        if (!isStreaming(args)) {
          // Not in streaming: a checkpoint of heap state copies a value before the operator changes
          // it, and fasterCopy makes that copy the same object. interaction-analytics' tally (a set
          // of users) then changed while the snapshot wrote it (ConcurrentModificationException),
          // every checkpoint failed, and the job failed after about 4 minutes at 5,000 events/s.
          addIfAbsent(out, "fasterCopy", "true");
        }
        if (isStreaming(args)) {
          addIfAbsent(out, "checkpointingInterval", String.valueOf(FLINK_CHECKPOINT_MILLIS));
          // With checkpoints, Flink's default is to restart a failing job for ever: a bug that
          // fails on every attempt would loop silently. Three tries, 10 s apart, then it fails.
          addIfAbsent(out, "numberOfExecutionRetries", "3");
          addIfAbsent(out, "executionRetryDelay", "10000");
          // With checkpoints on, Beam keeps finished sources (an Impulse under a Create side input,
          // such as fleet-alerts' zones) running for ever, so a --runFor job never ended. Flink
          // 1.19 checkpoints after tasks finish (FLIP-147), so they may shut down at once.
          addIfAbsent(out, "shutdownSourcesAfterIdleMs", "0");
          String master = valueOf(args, "flinkMaster");
          boolean embedded = master == null || master.equals("[auto]") || master.equals("[local]");
          if (embedded && !isGiven(args, "stateBackend") && !isGiven(args, "stateBackendFactory")) {
            // Flink's default checkpoint storage is the JobManager's heap, capped at 5 MB: a dedupe
            // window of event ids passes that within two minutes at 5,000 events/s, every
            // checkpoint then fails, and the job fails with it. Checkpoints go to files instead.
            addIfAbsent(out, "stateBackend", "filesystem");
            addIfAbsent(out, "stateBackendStoragePath", flinkCheckpointsUri());
          }
        }
        break;
      case "spark":
        // Under spark-submit, its --master (which Beam's SparkRunner takes over --sparkMaster).
        addIfAbsent(out, "sparkMaster", System.getProperty("spark.master", "local[2]"));
        break;
      default:
        break;
    }
    return out;
  }

  /**
   * The defaults, plus those of one pipeline. micro-batch-load runs on one Direct worker thread:
   * its batches load one after another in any case (one load queue), and the Direct runner's
   * scheduler re-runs itself without pause on a worker thread of its own (apache/beam#18070), so
   * each further worker only lets that loop take a core the load needs. Measured in
   * docs/benchmarks.md: 200,000 records load in 2.9-3.3 s on one worker, 4.3-5.7 s on three.
   */
  public static List<String> apply(List<String> args, String pipeline) {
    List<String> out = apply(args);
    // The names a cluster's UI shows: the pipeline's, not the launcher class's ("main-root-...").
    // Beam derives the job name from the app name with every '-' made a '0', so both are given.
    addIfAbsent(out, "appName", pipeline);
    addIfAbsent(out, "jobName", pipeline + "-" + JOB_TIME.format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC)));
    if (pipeline.equals(MicroBatchLoadPipeline.NAME) && runnerOf(args).equals("direct")) {
      addIfAbsent(out, "targetParallelism", "1");
    }
    return out;
  }

  private static void addIfAbsent(List<String> args, String option, String value) {
    if (!isGiven(args, option)) {
      args.add("--" + option + "=" + value);
    }
  }

  /** Whether the run streams: {@code --streaming} or {@code --streaming=true}. */
  static boolean isStreaming(List<String> args) {
    String value = valueOf(args, "streaming");
    return value == null ? args.contains("--streaming") : Boolean.parseBoolean(value);
  }

  /** Whether {@code args} give {@code option}, with a value or as a bare flag. */
  static boolean isGiven(List<String> args, String option) {
    return args.contains("--" + option) || valueOf(args, option) != null;
  }

  /** The value {@code args} give {@code option} ({@code --option=value}; the last, as Beam takes), or null. */
  static String valueOf(List<String> args, String option) {
    String prefix = "--" + option + "=";
    String found = null;
    for (String a : args) {
      if (a.startsWith(prefix)) {
        found = a.substring(prefix.length());
      }
    }
    return found;
  }
}
