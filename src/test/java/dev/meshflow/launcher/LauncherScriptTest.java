package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./meshflow} script itself, run as a user runs it, in its own JVM, on a copy of the
 * project as a fresh clone has it: the first command builds it. A copy, so that its build never
 * rewrites the classes the other test JVM is loading from target/.
 */
public class LauncherScriptTest {
  /** What a clone holds that the build reads; no target/, no tests. */
  private static final List<String> PROJECT_FILES = List.of("meshflow", "pom.xml", "options", "io",
      "transforms", "pipelines", "runners-config", "src/main");

  @TempDir static Path clone;
  @TempDir Path tmp;

  @BeforeAll
  public static void copyTheProject() throws Exception {
    Path project = Path.of(System.getProperty("user.dir"));
    for (String name : PROJECT_FILES) {
      Path from = project.resolve(name);
      try (Stream<Path> files = Files.walk(from)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Path to = clone.resolve(project.relativize(f).toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(to);
          } else {
            Files.createDirectories(to.getParent());
            Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
    }
    Outcome list = run(clone.toFile(), clone.resolve("first"), "./meshflow", "list");
    assertEquals(0, list.code, list.err);
    assertThat("a fresh clone is built on first use", list.err, containsString("building for the direct runner"));
    assertThat(list.out, containsString("interaction-analytics"));
    // Once per build and runner, a 10-event run archives the classes start-up loads; every later
    // JVM maps them (the runs below use it). Its log lines stay out of what the user sees.
    assertThat(list.err, containsString("preparing a faster start for the direct runner"));
    assertTrue(Files.size(clone.resolve("target/cds-direct.jsa")) > 1_000_000,
        "the class archive was written: " + Files.readString(clone.resolve("target/cds-direct.log")));
    assertThat(list.out + list.err, not(containsString("[cds]")));
  }

  private static final class Outcome {
    int code;
    String out;
    String err;
  }

  /** {@code ./meshflow ...} in the project, as the README runs it. */
  private Outcome meshflow(String... args) throws Exception {
    return meshflowIn(clone.toFile(), "./meshflow", args);
  }

  private Outcome meshflowIn(File directory, String script, String... args) throws Exception {
    return run(directory, TempFiles.newFolder(tmp), script, args);
  }

  private static Outcome run(File directory, Path logs, String script, String... args) throws Exception {
    return run(directory, logs, Map.of(), script, args);
  }

  private static Outcome run(File directory, Path logs, Map<String, String> env, String script, String... args)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(script);
    command.addAll(List.of(args));
    Files.createDirectories(logs);
    Path out = Files.createTempFile(logs, "out", ".txt");
    Path err = Files.createTempFile(logs, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(command).directory(directory)
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("MAVEN_OPTS", JavaCommand.quickStartOpts());
    pb.environment().put("MESHFLOW_JAVA_OPTS", JavaCommand.quickStartOpts());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("./meshflow " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    Outcome o = new Outcome();
    o.code = p.exitValue();
    o.out = Files.readString(out, StandardCharsets.UTF_8);
    o.err = Files.readString(err, StandardCharsets.UTF_8);
    return o;
  }

  @Test
  public void runsAPipelineQueriesItAndDoesNotRebuildNeedlessly() throws Exception {
    Outcome list = meshflow("list");
    assertEquals(0, list.code, list.err);
    assertThat("no rebuild when nothing changed", list.err, not(containsString("building")));
    assertThat("the class archive is made once", list.err, not(containsString("preparing")));
    assertThat(list.out, containsString("interaction-analytics"));

    String db = tmp + "/launcher.duckdb";
    Outcome run = meshflow("interaction-analytics",
        "--source=generator:interactions?events=5000&seed=8", "--sink=duckdb:" + db,
        "--progressSeconds=1");
    assertEquals(0, run.code, run.err);
    assertThat("no rebuild when nothing changed", run.err, not(containsString("building")));
    assertThat(run.out, containsString("conservation  read 5,000 = valid + duplicates + dead letters"));
    assertThat(run.out, containsString("./meshflow query"));

    Outcome query = meshflow("query", "--db=" + db,
        "SELECT count(DISTINCT item_id) AS items FROM item_minute_stats");
    assertEquals(0, query.code, query.err);
    assertThat(query.out, containsString("items"));
    assertThat(query.out, containsString("(1 row)"));
  }

  /** Run from another directory, relative paths in the options mean that directory. */
  @Test
  public void relativePathsMeanTheCallersDirectory() throws Exception {
    File elsewhere = TempFiles.newFolder(tmp, "elsewhere").toFile();
    assertTrue(new File(elsewhere, "out").mkdir()); // a sink's folder must exist (or createFolder=true)
    String script = clone.resolve("meshflow").toAbsolutePath().toString();
    Outcome run = meshflowIn(elsewhere, script, "interaction-analytics",
        "--source=generator:interactions?events=500&seed=2", "--sink=duckdb:out/here.duckdb",
        "--progressSeconds=0");
    assertEquals(0, run.code, run.err);
    File db = new File(elsewhere, "out/here.duckdb");
    assertThat(run.out, containsString("DuckDB " + db.getCanonicalPath()));
    assertEquals(true, db.isFile());
    assertThat("the look line runs from there", run.out,
        containsString("look          " + script + " query --db=out/here.duckdb \""));
    Outcome query = meshflowIn(elsewhere, script, "query", "--db=out/here.duckdb", "SELECT count(*) AS n FROM dead_letter");
    assertEquals(0, query.code, query.err);
    assertThat(query.out, containsString("(1 row)"));
  }

  /**
   * The JVM the launcher starts waits longer before its optimising compiler takes a method
   * (runners-config/jit-flags, docs/benchmarks.md), unless the user asks for the JVM's defaults.
   */
  @Test
  public void theJvmGetsTheLaunchersCompilerThresholdsUnlessTheUserSaysDefault() throws Exception {
    String tier4 = "-XX:Tier4InvocationThreshold=";
    Outcome tuned = run(clone.toFile(), TempFiles.newFolder(tmp),
        Map.of("MESHFLOW_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "./meshflow", "list");
    assertEquals(0, tuned.code, tuned.err);
    String expected = Files.readAllLines(clone.resolve("runners-config/jit-flags")).get(0);
    assertThat(expected, startsWith(tier4));
    assertThat(tuned.out, containsString(expected));

    Outcome plain = run(clone.toFile(), TempFiles.newFolder(tmp),
        Map.of("MESHFLOW_JAVA_OPTS", "-XX:+PrintCommandLineFlags", "MESHFLOW_JIT", "default"), "./meshflow", "list");
    assertEquals(0, plain.code, plain.err);
    assertThat(plain.out, containsString("-XX:+PrintCommandLineFlags"));
    assertThat(plain.out, not(containsString(tier4)));
  }

  /**
   * A batch pipeline run gets the launcher's collector (runners-config/batch-gc-flags,
   * docs/benchmarks.md); a streaming run, a long-running command, MESHFLOW_GC=default and a
   * collector the user names keep theirs, without two collectors clashing.
   */
  @Test
  public void onlyBatchRunsGetTheLaunchersCollector() throws Exception {
    String parallel = "-XX:+UseParallelGC";
    assertEquals(List.of(parallel), Files.readAllLines(clone.resolve("runners-config/batch-gc-flags")));
    assertThat(jvmFlags(Map.of(), "interaction-analytics", "--help"), containsString(parallel));
    assertThat(jvmFlags(Map.of(), "interaction-analytics", "--streaming=false", "--help"), containsString(parallel));
    assertThat(jvmFlags(Map.of(), "interaction-analytics", "--streaming", "--help"), not(containsString(parallel)));
    assertThat(jvmFlags(Map.of(), "ingest", "--streaming=TRUE", "--help"), not(containsString(parallel)));
    assertThat(jvmFlags(Map.of(), "serve", "--help"), not(containsString(parallel)));
    assertThat(jvmFlags(Map.of("MESHFLOW_GC", "default"), "interaction-analytics", "--help"), not(containsString(parallel)));
    String own = jvmFlags(Map.of("MESHFLOW_JAVA_OPTS", "-XX:+UseSerialGC -XX:+PrintCommandLineFlags"),
        "interaction-analytics", "--help");
    assertThat(own, containsString("-XX:+UseSerialGC"));
    assertThat(own, not(containsString(parallel)));
  }

  /** The flags the JVM that {@code ./meshflow args} starts was given, as it prints them. */
  private String jvmFlags(Map<String, String> env, String... args) throws Exception {
    Map<String, String> withPrint = new java.util.HashMap<>(env);
    withPrint.merge("MESHFLOW_JAVA_OPTS", JavaCommand.quickStartOpts() + " -XX:+PrintCommandLineFlags",
        (own, print) -> JavaCommand.quickStartOpts() + " " + own);
    Outcome o = run(clone.toFile(), TempFiles.newFolder(tmp), withPrint, "./meshflow", args);
    assertEquals(0, o.code, o.err);
    String flagsLine = o.out.lines().filter(l -> l.contains("-XX:")).findFirst().orElse("");
    assertThat(flagsLine, containsString("GC"));
    return flagsLine;
  }

  @Test
  public void badInputExitsTwoWithOneLine() throws Exception {
    Outcome bad = meshflow("interaction-analytics", "--runner=SamzaRunner");
    assertEquals(2, bad.code);
    assertThat(bad.err, containsString("unknown runner 'samza'"));
    Outcome unknown = meshflow("no-such-pipeline");
    assertEquals(2, unknown.code);
    assertThat(unknown.err, containsString("unknown pipeline 'no-such-pipeline'"));
    assertThat(unknown.err, not(containsString("\tat ")));
  }
}
