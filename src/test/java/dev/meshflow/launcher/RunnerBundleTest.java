package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.JavaCommand;
import dev.meshflow.testing.TempFiles;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvn -P<runner>-runner package} builds a self-contained bundle that runs the pipeline with
 * nothing but {@code java -jar}, as a cluster submission would ship it.
 */
public class RunnerBundleTest {
  private static final File PROJECT = new File(System.getProperty("user.dir"));

  @TempDir Path tmp;

  private String run(List<String> command, int minutes) throws Exception {
    Path log = TempFiles.newFile(tmp);
    ProcessBuilder pb = new ProcessBuilder(command).directory(PROJECT)
        .redirectErrorStream(true).redirectOutput(log.toFile());
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

  private static String tail(String s) {
    return s.length() < 3000 ? s : s.substring(s.length() - 3000);
  }

  private void buildAndRun(String runner, String runnerClass) throws Exception {
    // Built into a folder of its own: the other test JVM is loading classes from target/. For
    // Linux x86-64 alone, as a cluster's bundle: this machine's, and a quarter less to compress.
    Path build = tmp.resolve("build-" + runner);
    // With this build's classes, which are up to date: the package step then compiles nothing
    // (10 CPU-seconds less per bundle), as for a user who has built before.
    copyTree(PROJECT.toPath().resolve("target/classes"), build.resolve("classes"));
    copyTree(PROJECT.toPath().resolve("target/maven-status"), build.resolve("maven-status"));
    run(List.of("mvn", "-B", "-q", "-P" + runner + "-runner", "package", "-Dmaven.test.skip=true",
        "-Dbundle.linuxOnly", "-Dmeshflow.build.directory=" + build), 10);
    File bundle = build.resolve("meshflow-bundled-" + runner + ".jar").toFile();
    assertTrue(bundle.isFile(), bundle + " was not built");

    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(Files.readAllLines(PROJECT.toPath().resolve("runners-config/jvm-flags")));
    command.addAll(JavaCommand.QUICK_START);
    command.addAll(List.of("-jar", bundle.getPath(), "interaction-analytics",
        "--runner=" + runnerClass, "--source=generator:interactions?events=3000&seed=4",
        "--sink=duckdb:" + tmp + "/" + runner + ".duckdb", "--progressSeconds=0"));
    String output = run(command, 5);
    assertThat(output, containsString("interaction-analytics finished"));
    assertThat(output, containsString("on " + runnerClass));
    assertThat(output, containsString("conservation  read 3,000 = valid + duplicates + dead letters"));
    bundle.delete(); // hundreds of MB; nothing else needs it
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

  @Test
  public void flinkBundleRunsOnItsOwn() throws Exception {
    buildAndRun("flink", "FlinkRunner");
  }

  @Test
  public void sparkBundleRunsOnItsOwn() throws Exception {
    buildAndRun("spark", "SparkRunner");
  }
}
