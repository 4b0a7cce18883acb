package dev.meshflow.faults;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.Await;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runners' bundles submitted to standalone clusters as a user submits them, in batch, each
 * ending with exactly the reference model's table (PostgreSQL: a DuckDB file admits one writing
 * process, and each worker is one):
 *
 * <ul>
 *   <li>Flink: a JobManager and two TaskManagers at parallelism 2, through Flink's own front end
 *       ({@code CliFrontend run -m}, what {@code flink run} runs) and through {@code --flinkMaster}
 *       from the bundle; the REST API shows the parallel tasks on both TaskManagers.
 *   <li>Spark: a master and a worker, through Spark's {@code SparkSubmit}, with two executor
 *       processes of one core each.
 * </ul>
 */
public class ClusterSubmitTest {
  private static final int EVENTS = 3000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS + "&seed=4";

  @TempDir Path tmp;

  @Test
  public void theFlinkBundleRunsOnAStandaloneClusterThroughFlinkRunAndThroughFlinkMaster() throws Exception {
    File bundle = RunnerBundles.build("flink", tmp);
    try (FlinkCluster cluster = FlinkCluster.start(tmp.resolve("flink-cluster"), 0, 2, JavaCommand.QUICK_START)) {
      List<String> args = List.of("interaction-analytics", "--runner=FlinkRunner", "--parallelism=2",
          "--source=" + GENERATOR, "--progressSeconds=0");

      // As `flink run -m <master> bundle.jar ...`: Flink's CliFrontend, on the cluster's own classpath.
      String frontEnd = Postgres.newDatabase("submit_flink_run");
      List<String> command = javaCommand();
      command.addAll(List.of("-cp", cluster.classpath(), "org.apache.flink.client.cli.CliFrontend", "run",
          "-m", cluster.master(), bundle.getPath()));
      command.addAll(args);
      command.add("--sink=" + Postgres.sinkUri(frontEnd));
      assertFinished(RunnerBundles.run(command, 5, Map.of("FLINK_CONF_DIR", cluster.confDir().toString()), tmp),
          "FlinkRunner");
      assertTheModels(Tables.postgres(frontEnd));

      String fromBundle = Postgres.newDatabase("submit_flink_master");
      command = javaCommand();
      command.addAll(List.of("-jar", bundle.getPath()));
      command.addAll(args);
      command.addAll(List.of("--flinkMaster=" + cluster.master(), "--sink=" + Postgres.sinkUri(fromBundle)));
      assertFinished(RunnerBundles.run(command, 5, Map.of(), tmp), "FlinkRunner");
      assertTheModels(Tables.postgres(fromBundle));

      FlinkCluster.Jobs jobs = cluster.jobs();
      assertEquals(List.of("FINISHED", "FINISHED"), jobs.states(), "the cluster's jobs");
      assertEquals(2, jobs.taskManagersOfWidestTask(), "a parallel task ran on both TaskManagers");
      // A session cluster runs job after job: a finished job's class loader (and all its classes)
      // must go. The PostgreSQL driver's registration with DriverManager kept every one, and after
      // five jobs a TaskManager died of OutOfMemoryError: Metaspace. Flink lets a loader go some
      // tens of seconds after its job; the latest job's stays (after five jobs, still one).
      for (int tm = 0; tm < 2; tm++) {
        int i = tm;
        Await.until("TaskManager " + i + " to hold no more than the latest job's class loader",
            Duration.ofMinutes(2), () -> cluster.jobClassLoaders(i), loaders -> loaders <= 1);
      }
    }
  }

  @Test
  public void theSparkBundleRunsOnAStandaloneClusterThroughSparkSubmit() throws Exception {
    File bundle = RunnerBundles.build("spark", tmp);
    try (SparkCluster cluster = SparkCluster.start(tmp.resolve("spark-cluster"), 0, 2, JavaCommand.QUICK_START)) {
      String db = Postgres.newDatabase("submit_spark");
      List<String> flags = new ArrayList<>(JavaCommand.launcherFlags("jvm-flags"));
      flags.addAll(JavaCommand.QUICK_START);
      // Two executors of one core each: the shuffles cross processes.
      List<String> command = cluster.submitCommand(flags, "dev.meshflow.launcher.Main",
          List.of("spark.executor.cores=1", "spark.cores.max=2", "spark.executor.memory=1g",
              "spark.executor.extraJavaOptions=" + JavaCommand.quickStartOpts()), bundle.getPath(),
          List.of("interaction-analytics", "--runner=SparkRunner", "--source=" + GENERATOR,
              "--sink=" + Postgres.sinkUri(db), "--progressSeconds=0"));
      assertFinished(RunnerBundles.run(command, 5, cluster.environment(), tmp), "SparkRunner");
      assertTheModels(Tables.postgres(db));
      List<SparkCluster.App> apps = cluster.completedApps();
      assertEquals(1, apps.size(), "the cluster's applications: " + apps);
      assertEquals("interaction-analytics", apps.get(0).name());
      assertEquals("FINISHED", apps.get(0).state());
      assertEquals(2, apps.get(0).executors(), "executor processes");
    }
    // With its Guava relocated for spark-submit, the same bundle still runs Spark locally with
    // nothing but java -jar (moved here from RunnerBundleTest, where its build cost CI 150 s).
    List<String> local = javaCommand();
    local.addAll(List.of("-jar", bundle.getPath(), "interaction-analytics", "--runner=SparkRunner",
        "--source=" + GENERATOR, "--sink=duckdb:" + tmp.resolve("spark-local.duckdb"), "--progressSeconds=0"));
    assertFinished(RunnerBundles.run(local, 5, Map.of(), tmp), "SparkRunner");
    assertTheModels(Tables.duckDb(tmp.resolve("spark-local.duckdb").toString()));
  }

  private static List<String> javaCommand() throws Exception {
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(JavaCommand.launcherFlags("jvm-flags"));
    command.addAll(JavaCommand.QUICK_START);
    return command;
  }

  private static void assertFinished(String output, String runnerClass) {
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
}
