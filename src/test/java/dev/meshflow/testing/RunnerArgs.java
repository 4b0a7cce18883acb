package dev.meshflow.testing;

import dev.meshflow.launcher.RunnerDefaults;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Options for each local runner, as a user would pass them. */
public final class RunnerArgs {
  public static final List<String> LOCAL_RUNNERS = List.of("DirectRunner", "FlinkRunner", "SparkRunner");

  private RunnerArgs() {}

  public static String[] forRunner(String runner, String... extra) {
    List<String> args = new ArrayList<>();
    args.add("--runner=" + runner);
    switch (runner) {
      case "DirectRunner":
        // Tests keep the Direct runner's checks on: they catch mutated inputs and bad coders.
        args.add("--enforceImmutability=true");
        args.add("--enforceEncodability=true");
        args.add("--blockOnRun=false"); // run() returns at once, as on the other runners
        break;
      case "FlinkRunner":
        args.add("--flinkMaster=[local]");
        args.add("--parallelism=2");
        args.add("--objectReuse=true");
        args.add("--fasterCopy=true");
        break;
      case "SparkRunner":
        args.add("--sparkMaster=local[2]");
        break;
      default:
        throw new IllegalArgumentException(runner);
    }
    args.addAll(Arrays.asList(extra));
    return args.toArray(new String[0]);
  }

  /**
   * For the scenario tests (a live ML loop, a backfill with its quality, the model jobs): the
   * Direct runner as the launcher runs it, Beam's immutability and encodability checks off; the
   * other runners as {@link #forRunner}. The checks stay on where they catch something: in every
   * transform's model check and in the parity matrix (RunnerParityTest, IngestEtlParityTest,
   * UnreadableFileTest, KafkaIngestTest). Off, those scenarios ran 30 % faster.
   */
  public static String[] asTheLauncherRuns(String runner, String... extra) {
    if (!runner.equals("DirectRunner")) {
      return forRunner(runner, extra);
    }
    List<String> args = new ArrayList<>(List.of("--runner=DirectRunner"));
    args.addAll(Arrays.asList(extra));
    return RunnerDefaults.apply(args).toArray(new String[0]);
  }
}
