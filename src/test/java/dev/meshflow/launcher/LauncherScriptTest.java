package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.TempFiles;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./meshflow} script itself, run as a user runs it, in its own JVM. */
@Tag("alone") // it builds the project, which the other test JVM loads from (pom.xml, surefire)
public class LauncherScriptTest {
  @TempDir Path tmp;

  private static final class Outcome {
    int code;
    String out;
    String err;
  }

  /** {@code ./meshflow ...} in the project, as the README runs it. */
  private Outcome meshflow(String... args) throws Exception {
    return meshflowIn(new File(System.getProperty("user.dir")), "./meshflow", args);
  }

  private Outcome meshflowIn(File directory, String script, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(script);
    command.addAll(List.of(args));
    Path out = TempFiles.newFile(tmp);
    Path err = TempFiles.newFile(tmp);
    Process p = new ProcessBuilder(command).directory(directory)
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
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
    Outcome list = meshflow("list"); // builds on first use if needed
    assertEquals(0, list.code, list.err);
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
    String script = new File(System.getProperty("user.dir"), "meshflow").getAbsolutePath();
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
