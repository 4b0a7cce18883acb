package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.JavaCommand;
import dev.meshflow.testing.RunnerBundles;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.services.FlinkCluster;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.testing.services.SparkCluster;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvn -P<runner>-runner package} builds a self-contained bundle that runs the pipeline with
 * nothing but {@code java -jar}, as a cluster submission would ship it.
 */
public class RunnerBundleTest {
  private static final int EVENTS = 3000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS + "&seed=4";
  private static final File PROJECT = new File(System.getProperty("user.dir"));

  @TempDir Path tmp;

  private String run(List<String> command, int minutes) throws Exception {
    return RunnerBundles.run(command, minutes, Map.of(), tmp);
  }

  private String run(List<String> command, int minutes, Map<String, String> environment) throws Exception {
    return RunnerBundles.run(command, minutes, environment, tmp);
  }

  private File build(String runner) throws Exception {
    return RunnerBundles.build(runner, tmp);
  }

  /** {@code java -jar} the bundle: the runner embedded in one JVM. */
  private void runOnItsOwn(File bundle, String runner, String runnerClass) throws Exception {
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(Files.readAllLines(PROJECT.toPath().resolve("runners-config/jvm-flags")));
    command.addAll(JavaCommand.QUICK_START);
    command.addAll(List.of("-jar", bundle.getPath(), "interaction-analytics",
        "--runner=" + runnerClass, "--source=" + GENERATOR,
        "--sink=duckdb:" + tmp + "/" + runner + ".duckdb", "--progressSeconds=0"));
    assertFinishedAndConserved(run(command, 5), runnerClass);
  }

  private static void assertFinishedAndConserved(String output, String runnerClass) {
    assertThat(output, containsString("interaction-analytics finished"));
    assertThat(output, containsString("on " + runnerClass));
    assertThat(output, containsString("conservation  read " + String.format("%,d", EVENTS)
        + " = valid + duplicates + dead letters"));
  }

  /** The warehouse a run wrote holds exactly the reference model's table and dead letters. */
  private static void assertTheModels(Tables tables) throws Exception {
    InteractionAnalyticsModel.Result expected = InteractionAnalyticsModel.run(GeneratedInput.records(GENERATOR, EVENTS));
    Diff.assertSameLines("item_minute_stats", Tables.lines(expected.stats), tables.itemMinuteStats());
    assertEquals(expected.deadLetters.keySet(), tables.deadLetters().keySet(), "dead letters");
  }

  /**
   * The Flink bundle with {@code java -jar}, then on a standalone session cluster (a JobManager and
   * two TaskManagers, each its own process) at parallelism 2, submitted as {@code flink run} does:
   * Flink's own front end. (Submitting with {@code --flinkMaster} from the bundle is what every run
   * of {@code mvn -Pfaults} does: FlinkClusterFaultsTest.)
   */
  @Test
  public void flinkBundleRunsOnItsOwnAndOnAStandaloneCluster() throws Exception {
    File bundle = build("flink");
    runOnItsOwn(bundle, "flink", "FlinkRunner");
    try (FlinkCluster cluster = FlinkCluster.start(tmp.resolve("flink-cluster"), 0, 2, JavaCommand.QUICK_START)) {
      // As `flink run -m <master> bundle.jar ...`: Flink's CliFrontend, on the cluster's own classpath.
      // PostgreSQL: a DuckDB file admits one writing process, and each TaskManager is one.
      String db = Postgres.newDatabase("bundle_flink_run");
      List<String> command = new ArrayList<>(List.of("java"));
      command.addAll(Files.readAllLines(PROJECT.toPath().resolve("runners-config/jvm-flags")));
      command.addAll(JavaCommand.QUICK_START);
      command.addAll(List.of("-cp", cluster.classpath(), "org.apache.flink.client.cli.CliFrontend", "run",
          "-m", cluster.master(), bundle.getPath(), "interaction-analytics", "--runner=FlinkRunner",
          "--parallelism=2", "--source=" + GENERATOR, "--progressSeconds=0", "--sink=" + Postgres.sinkUri(db)));
      assertFinishedAndConserved(run(command, 5, Map.of("FLINK_CONF_DIR", cluster.confDir().toString())),
          "FlinkRunner");
      assertTheModels(Tables.postgres(db));

      // It ran on the cluster, and its parallel tasks on both TaskManagers.
      FlinkCluster.Jobs jobs = cluster.jobs();
      assertEquals(List.of("FINISHED"), jobs.states(), "the cluster's jobs");
      assertEquals(2, jobs.taskManagersOfWidestTask(), "a parallel task ran on both TaskManagers");
    }
    bundle.delete(); // hundreds of MB; nothing else needs it
  }

  /**
   * The Spark bundle on a standalone cluster (a master, a worker, and the worker's two executors,
   * each its own process) through Spark's own {@code spark-submit}. Not also with {@code java -jar}:
   * that run cost CI 40 s for the classes the cluster run loads too, and local Spark is what
   * RunnerParityTest runs.
   */
  @Test
  public void sparkBundleRunsOnAStandaloneCluster() throws Exception {
    File bundle = build("spark");
    try (SparkCluster cluster = SparkCluster.start(tmp.resolve("spark-cluster"), 0, 2, JavaCommand.QUICK_START)) {
      String db = Postgres.newDatabase("bundle_spark_submit");
      List<String> flags = new ArrayList<>(Files.readAllLines(PROJECT.toPath().resolve("runners-config/jvm-flags")));
      flags.addAll(JavaCommand.QUICK_START);
      // Two executors of one core each: the shuffles cross processes.
      List<String> command = cluster.submitCommand(flags, "dev.meshflow.launcher.Main",
          List.of("spark.executor.cores=1", "spark.cores.max=2", "spark.executor.memory=1g",
              "spark.executor.extraJavaOptions=" + JavaCommand.quickStartOpts()), bundle.getPath(),
          List.of("interaction-analytics", "--runner=SparkRunner", "--source=" + GENERATOR,
              "--sink=" + Postgres.sinkUri(db), "--progressSeconds=0"));
      assertFinishedAndConserved(run(command, 5, cluster.environment()), "SparkRunner");
      assertTheModels(Tables.postgres(db));
      List<SparkCluster.App> apps = cluster.completedApps();
      assertEquals(1, apps.size(), "the cluster's applications: " + apps);
      assertEquals("interaction-analytics", apps.get(0).name());
      assertEquals("FINISHED", apps.get(0).state());
      assertEquals(2, apps.get(0).executors(), "executor processes");
    }
    bundle.delete();
  }
}
