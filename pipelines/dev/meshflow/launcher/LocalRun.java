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

  private static String value(List<String> args, String name, String otherwise) {
    String given = RunnerDefaults.valueOf(args, name);
    return given == null ? otherwise : given;
  }
}
