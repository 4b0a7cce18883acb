package dev.meshflow.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Embedded Flink streaming resumes a job's state after a crash. Each job (a pipeline with the same
 * options, save those that only bound or watch a run) keeps its checkpoints in a folder of its own
 * under {@link RunnerDefaults#FLINK_CHECKPOINTS}. A run that is killed or fails leaves its last
 * completed checkpoint there; the next run of the same job restores from it, windows and dedupe
 * state included, as {@code flink run -s <checkpoint>} would. A run that finishes leaves nothing
 * to resume.
 *
 * <p>Why the launcher does it: Beam's {@code --savepointPath} reaches only a remote cluster, and a
 * job started afresh resumed its Kafka offsets but not its state, so windows open at the crash
 * lost the counts read before it. An embedded cluster takes the path from its configuration
 * ({@code execution.savepoint.path}), which Beam loads from {@code --flinkConfDir}.
 */
public final class FlinkResume {
  /**
   * Options that bound, watch or name a run but do not change what it computes. The job's name
   * carries its launch time (RunnerDefaults), so with it no run would ever find the last one's
   * checkpoint: KafkaRestartTest caught that.
   */
  private static final Set<String> NOT_THE_JOB = Set.of("runFor", "progressSeconds", "verbose",
      "checkpointingInterval", "stateBackendStoragePath", "jobName", "appName");

  private final Path jobFolder;
  private final Path checkpoint;

  private FlinkResume(Path jobFolder, Path checkpoint) {
    this.jobFolder = jobFolder;
    this.checkpoint = checkpoint;
  }

  /**
   * For an embedded Flink streaming launch that keeps its checkpoints where the launcher put them:
   * the job's folder, and the checkpoint to resume from if a run of it did not finish. Null for
   * any other launch.
   *
   * @param launch the options after the launcher's defaults
   */
  public static FlinkResume of(String pipeline, List<String> launch) {
    if (!RunnerDefaults.runnerOf(launch).equals("flink") || !RunnerDefaults.isStreaming(launch)
        || !LocalRun.runsHere("FlinkRunner", launch)
        || !isLaunchersFolder(RunnerDefaults.valueOf(launch, "stateBackendStoragePath"))
        || RunnerDefaults.isGiven(launch, "flinkConfDir")) {
      return null;
    }
    Path folder = RunnerDefaults.FLINK_CHECKPOINTS.toAbsolutePath().resolve(jobKey(pipeline, launch));
    return new FlinkResume(folder, newestCheckpoint(folder).orElse(null));
  }

  /**
   * Whether {@code uri} is the launcher's checkpoint folder. Compared as paths: a folder's URI
   * ends in a slash only once the folder exists, so the same folder has two spellings.
   */
  static boolean isLaunchersFolder(String uri) {
    try {
      return uri != null && Path.of(java.net.URI.create(uri))
          .equals(RunnerDefaults.FLINK_CHECKPOINTS.toAbsolutePath());
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      return false; // not a file: URI, so not the launcher's
    }
  }

  /** The launch with this job's checkpoint folder, and the checkpoint to resume from if any. */
  public List<String> apply(List<String> launch, PrintStream out) {
    List<String> args = new ArrayList<>(launch);
    args.removeIf(a -> a.startsWith("--stateBackendStoragePath="));
    args.add("--stateBackendStoragePath=" + jobFolder.toUri());
    if (checkpoint != null) {
      Path conf = jobFolder.resolve("conf");
      try {
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("flink-conf.yaml"),
            "execution.savepoint.path: " + checkpoint.toUri() + "\n", StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + conf, e);
      }
      args.add("--flinkConfDir=" + conf);
      Path shown = RunnerDefaults.FLINK_CHECKPOINTS.resolve(jobFolder.getFileName().toString());
      out.println("meshflow: resuming from " + shown.resolve(jobFolder.relativize(checkpoint))
          + ", the last checkpoint of a run of this job that did not finish (delete " + shown
          + " to start afresh)");
    }
    return args;
  }

  /** After the job finished: nothing is left to resume. */
  public void finished() {
    if (!Files.isDirectory(jobFolder)) {
      return;
    }
    try (Stream<Path> all = Files.walk(jobFolder)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + jobFolder, e);
    }
  }

  /** The newest completed checkpoint ({@code <job id>/chk-N} with its {@code _metadata}). */
  static Optional<Path> newestCheckpoint(Path folder) {
    if (!Files.isDirectory(folder)) {
      return Optional.empty();
    }
    try (Stream<Path> found = Files.find(folder, 3, (p, a) -> p.getFileName().toString().equals("_metadata")
        && p.getParent().getFileName().toString().startsWith("chk-"))) {
      return found.max(Comparator.comparingLong(FlinkResume::modified)).map(Path::getParent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot look for checkpoints in " + folder, e);
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return Long.MIN_VALUE;
    }
  }

  /** The pipeline and its options that make the job what it is, as a folder name. */
  static String jobKey(String pipeline, List<String> launch) {
    List<String> identity = new ArrayList<>();
    for (String a : launch) {
      String name = a.startsWith("--") ? a.substring(2).split("=", 2)[0] : a;
      if (!NOT_THE_JOB.contains(name)) {
        identity.add(a);
      }
    }
    identity.sort(String::compareTo);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(String.join("\n", identity).getBytes(StandardCharsets.UTF_8));
      return pipeline + "-" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
