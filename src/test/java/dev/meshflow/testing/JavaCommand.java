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
  private JavaCommand() {}

  /** {@code java <jvmArgs> <jvm-flags> -cp <classpath> mainClass args...}. */
  public static List<String> of(List<String> jvmArgs, String mainClass, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.addAll(Files.readAllLines(Path.of(System.getProperty("user.dir"), "runners-config", "jvm-flags")));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    return command;
  }
}
