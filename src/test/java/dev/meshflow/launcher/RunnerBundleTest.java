package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.meshflow.testing.JavaCommand;
import dev.meshflow.testing.RunnerBundles;
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
 * nothing but {@code java -jar}, as a cluster submission would ship it. Submitting the bundles to
 * standalone Flink and Spark clusters ({@code flink run}, {@code --flinkMaster}, {@code spark-submit})
 * takes a cluster of JVMs each, past CI's time: {@code mvn -B test -Pfaults} (ClusterSubmitTest).
 * The Spark bundle's own run with {@code java -jar} is there too, beside its spark-submit: its build
 * relocates Guava across every class and took about 150 s of CI's 20 minutes.
 */
public class RunnerBundleTest {
  private static final int EVENTS = 3000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS + "&seed=4";

  @TempDir Path tmp;

  private void buildAndRun(String runner, String runnerClass) throws Exception {
    File bundle = RunnerBundles.build(runner, tmp);
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(JavaCommand.launcherFlags("jvm-flags"));
    command.addAll(JavaCommand.QUICK_START);
    command.addAll(List.of("-jar", bundle.getPath(), "interaction-analytics",
        "--runner=" + runnerClass, "--source=" + GENERATOR,
        "--sink=duckdb:" + tmp + "/" + runner + ".duckdb", "--progressSeconds=0"));
    String output = RunnerBundles.run(command, 5, Map.of(), tmp);
    assertThat(output, containsString("interaction-analytics finished"));
    assertThat(output, containsString("on " + runnerClass));
    assertThat(output, containsString("conservation  read 3,000 = valid + duplicates + dead letters"));
    bundle.delete(); // hundreds of MB; nothing else needs it
  }

  @Test
  public void flinkBundleRunsOnItsOwn() throws Exception {
    buildAndRun("flink", "FlinkRunner");
  }
}
