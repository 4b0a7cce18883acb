package dev.meshflow.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A runner's self-contained bundle, built as {@code mvn -P<runner>-runner package} builds it for a
 * user, and commands run to their end as a user runs them.
 */
public final class RunnerBundles {
  private static final Path PROJECT = Path.of(System.getProperty("user.dir"));

  private RunnerBundles() {}

  /** Builds {@code meshflow-bundled-<runner>.jar} in a folder of {@code dir}. */
  public static File build(String runner, Path dir) throws Exception {
    // Built into a folder of its own: the other test JVM is loading classes from target/. For
    // Linux x86-64 alone, as a cluster's bundle: this machine's, and a quarter less to compress.
    Path build = dir.resolve("build-" + runner);
    // With this build's classes, which are up to date: the package step then compiles nothing
    // (10 CPU-seconds less per bundle), as for a user who has built before.
    copyTree(PROJECT.resolve("target/classes"), build.resolve("classes"));
    copyTree(PROJECT.resolve("target/maven-status"), build.resolve("maven-status"));
    run(List.of("mvn", "-B", "-q", "-P" + runner + "-runner", "package", "-Dmaven.test.skip=true",
        "-Dbundle.linuxOnly", "-Dmeshflow.build.directory=" + build), 10, Map.of(), dir);
    File bundle = build.resolve("meshflow-bundled-" + runner + ".jar").toFile();
    assertTrue(bundle.isFile(), bundle + " was not built");
    return bundle;
  }

  /**
   * Runs {@code command} from the project's folder to its end, which must be a success within
   * {@code minutes}; returns what it printed. Its output goes to a file in {@code dir}.
   */
  public static String run(List<String> command, int minutes, Map<String, String> environment, Path dir)
      throws Exception {
    Path log = TempFiles.newFile(dir);
    ProcessBuilder pb = new ProcessBuilder(command).directory(PROJECT.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(environment);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("MAVEN_OPTS", JavaCommand.quickStartOpts());
    Process p = pb.start();
    if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in " + minutes + " min");
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + tail(output));
    return output;
  }

  /** The end of a log file, or why it could not be read: for a failure message about a process. */
  public static String tail(Path log) {
    try {
      return tail(Files.readString(log, StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The end of a long output. */
  public static String tail(String s) {
    return s.length() < 3000 ? s : s.substring(s.length() - 3000);
  }

  /** Copies a folder with its files' times, which tell the compiler its classes are current. */
  private static void copyTree(Path from, Path to) throws Exception {
    Files.createDirectories(to.getParent());
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }
}
