package dev.meshflow.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a JVM of its own that runs {@code mainClass} as this one would: this JVM's
 * java, the project's {@code runners-config/jvm-flags} (Spark on Java 17 needs them), and this
 * JVM's classpath, so the child sees the classes the test sees.
 */
public final class JavaCommand {
  /**
   * For the short-lived JVMs tests start (launchers, Maven builds, the broker): the quick JIT only.
   * On two cores the optimising compiler's work is most of such a JVM's CPU time: a bundle running
   * 3,000 events took 12.0 CPU-s with it and 6.0 without, a bundle build 30.9 and 23.4. Never for
   * benchmarks, whose JVMs must run as users' do.
   */
  public static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1");

  private JavaCommand() {}

  /** {@code QUICK_START} as an environment's {@code MAVEN_OPTS} or {@code MESHFLOW_JAVA_OPTS}. */
  public static String quickStartOpts() {
    return String.join(" ", QUICK_START);
  }

  /**
   * The JVM flags in one of runners-config's files ({@code jvm-flags}, {@code jit-flags},
   * {@code batch-gc-flags}), as {@code ./meshflow} passes them.
   */
  public static List<String> launcherFlags(String file) throws IOException {
    return Files.readAllLines(Path.of(System.getProperty("user.dir"), "runners-config", file));
  }

  /** {@code java <jvmArgs> <jvm-flags> -cp <classpath> mainClass args...}. */
  public static List<String> of(List<String> jvmArgs, String mainClass, List<String> args) throws IOException {
    return onClasspath(jvmArgs, System.getProperty("java.class.path"), mainClass, args);
  }

  /** The same on another classpath. */
  public static List<String> onClasspath(List<String> jvmArgs, String classpath, String mainClass, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.addAll(launcherFlags("jvm-flags"));
    command.addAll(List.of("-cp", classpath, mainClass));
    command.addAll(args);
    return command;
  }
}
