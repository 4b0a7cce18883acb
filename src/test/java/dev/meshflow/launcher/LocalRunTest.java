package dev.meshflow.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which launches run the pipeline in the launcher's own JVM, where a reachability check means something. */
public class LocalRunTest {
  @Test
  public void embeddedRunnersRunHereClustersDoNot() {
    assertTrue(LocalRun.runsHere("DirectRunner", List.of()));
    assertTrue(LocalRun.runsHere("FlinkRunner", List.of()));
    assertTrue(LocalRun.runsHere("FlinkRunner", List.of("--flinkMaster=[local]")));
    assertFalse(LocalRun.runsHere("FlinkRunner", List.of("--flinkMaster=jobmanager:8081")));
    assertFalse(LocalRun.runsHere("FlinkRunner", List.of("--flinkMaster=[auto]", "--flinkMaster=jm:8081")));
    assertTrue(LocalRun.runsHere("SparkRunner", List.of("--sparkMaster=local[2]")));
    assertFalse(LocalRun.runsHere("SparkRunner", List.of("--sparkMaster=spark://master:7077")));
    assertFalse(LocalRun.runsHere("DataflowRunner", List.of()));
  }
}
