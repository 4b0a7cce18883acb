package dev.meshflow.launcher;

import java.util.List;

/**
 * Whether a launch runs the pipeline in this JVM: the Direct runner, or Flink or Spark with an
 * embedded cluster. Only then do checks made from here say anything about the workers' view.
 */
public final class LocalRun {
  private LocalRun() {}

  /** @param args the launch's options, after the launcher's defaults */
  public static boolean runsHere(String runner, List<String> args) {
    switch (runner) {
      case "DirectRunner":
        return true;
      case "FlinkRunner": {
        String master = value(args, "flinkMaster", "[auto]");
        return master.equals("[auto]") || master.equals("[local]");
      }
      case "SparkRunner":
        return value(args, "sparkMaster", "local").startsWith("local");
      default:
        return false;
    }
  }

  /**
   * Where a launch that does not run here runs, for its progress line: "the Flink cluster at
   * http://host:8081/" (its web UI), "the Spark master spark://host:7077"; null for a run here.
   */
  public static String where(String runner, List<String> args) {
    if (runsHere(runner, args)) {
      return null;
    }
    switch (runner) {
      case "FlinkRunner":
        return "the Flink cluster at http://" + value(args, "flinkMaster", "") + "/";
      case "SparkRunner":
        return "the Spark master " + value(args, "sparkMaster", "");
      default:
        return runner;
    }
  }

  private static String value(List<String> args, String name, String otherwise) {
    String given = RunnerDefaults.valueOf(args, name);
    return given == null ? otherwise : given;
  }
}
