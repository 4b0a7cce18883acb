package dev.meshflow.pipelines.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Launcher defaults per runner, added only where the user did not set the option: the Direct
 * runner's immutability and encodability checks are off (tests keep them on) and its run() returns
 * at once (the launcher waits and reports progress itself), Flink reuses objects
 * (no transform here mutates its input), and Spark runs on two local cores.
 */
public final class RunnerDefaults {
  private RunnerDefaults() {}

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

  public static List<String> apply(List<String> args) {
    List<String> out = new ArrayList<>(args);
    switch (runnerOf(args)) {
      case "direct":
        addIfAbsent(out, "enforceImmutability", "false");
        addIfAbsent(out, "enforceEncodability", "false");
        addIfAbsent(out, "blockOnRun", "false");
        break;
      case "flink":
        addIfAbsent(out, "objectReuse", "true");
        addIfAbsent(out, "fasterCopy", "true");
        break;
      case "spark":
        addIfAbsent(out, "sparkMaster", "local[2]");
        break;
      default:
        break;
    }
    return out;
  }

  private static void addIfAbsent(List<String> args, String option, String value) {
    for (String a : args) {
      if (a.equals("--" + option) || a.startsWith("--" + option + "=")) {
        return;
      }
    }
    args.add("--" + option + "=" + value);
  }
}
