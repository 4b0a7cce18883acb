package dev.meshflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.pipelines.ingest.IngestPipeline;
import dev.meshflow.pipelines.ingest.MicroBatchLoadPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.io.aws2.options.AwsOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** The launcher's defaults: added where the user said nothing, never over what the user said. */
public class RunnerDefaultsTest {
  @Test
  public void directRunsWithoutItsTestChecks() {
    List<String> args = RunnerDefaults.apply(List.of("--source=x"), IngestPipeline.NAME);
    assertTrue(args.contains("--enforceImmutability=false"));
    assertTrue(args.contains("--enforceEncodability=false"));
    assertFalse(args.stream().anyMatch(a -> a.startsWith("--targetParallelism")), "only micro-batch-load runs on one Direct worker");
  }

  @Test
  public void flinkStreamingCheckpointsSoThatKafkaOffsetsAreCommitted() {
    assertTrue(RunnerDefaults.apply(List.of("--runner=FlinkRunner", "--streaming"), IngestPipeline.NAME)
        .contains("--checkpointingInterval=10000"));
    assertTrue(RunnerDefaults.apply(List.of("--runner=FlinkRunner", "--streaming=true"), IngestPipeline.NAME)
        .contains("--checkpointingInterval=10000"));
    assertTrue(RunnerDefaults
        .apply(List.of("--runner=FlinkRunner", "--streaming"), IngestPipeline.NAME)
        .containsAll(List.of("--numberOfExecutionRetries=3", "--executionRetryDelay=10000")), "a job failing on every attempt ends instead of restarting for ever");
    assertTrue(RunnerDefaults
        .apply(List.of("--runner=FlinkRunner", "--streaming"), IngestPipeline.NAME)
        .contains("--shutdownSourcesAfterIdleMs=0"), "finished sources shut down, so a --runFor job ends");
    assertTrue(RunnerDefaults.apply(List.of("--runner=FlinkRunner", "--streaming"), IngestPipeline.NAME)
            .containsAll(List.of("--stateBackend=filesystem", "--stateBackendStoragePath="
                + RunnerDefaults.FLINK_CHECKPOINTS.toAbsolutePath().toUri())), "checkpoints go to files: the JobManager's heap takes 5 MB of state at most");
    assertFalse(RunnerDefaults.apply(List.of("--runner=FlinkRunner", "--streaming"), IngestPipeline.NAME)
            .stream().anyMatch(a -> a.startsWith("--fasterCopy")), "checkpoints must copy the state they write, so no fasterCopy in streaming");
    assertTrue(RunnerDefaults.apply(
        List.of("--runner=FlinkRunner"), IngestPipeline.NAME).contains("--fasterCopy=true"), "batch has no checkpoints: fasterCopy saves the copies");
    assertFalse(RunnerDefaults.apply(List.of(
        "--runner=FlinkRunner", "--streaming", "--flinkMaster=jm:8081"), IngestPipeline.NAME)
        .stream().anyMatch(a -> a.startsWith("--stateBackend")), "a cluster keeps its own state backend");
    assertFalse(RunnerDefaults.apply(
        List.of("--runner=FlinkRunner", "--streaming=false"), IngestPipeline.NAME)
        .stream().anyMatch(a -> a.startsWith("--checkpointingInterval")), "batch has nothing to checkpoint");
    assertTrue(RunnerDefaults.apply(List.of("--runner=FlinkRunner",
        "--streaming", "--checkpointingInterval=60000"), IngestPipeline.NAME)
        .stream().filter(a -> a.startsWith("--checkpointingInterval")).count() == 1, "the user's interval wins");
  }

  @Test
  public void microBatchLoadRunsOnOneDirectWorker() {
    assertTrue(RunnerDefaults.apply(List.of(), MicroBatchLoadPipeline.NAME)
        .contains("--targetParallelism=1"));
    assertTrue(RunnerDefaults.apply(List.of("--runner=DirectRunner"), MicroBatchLoadPipeline.NAME)
        .contains("--targetParallelism=1"));
  }

  /** The defaults but the job's name, which carries its launch time. */
  private static List<String> withoutJobName(List<String> args) {
    assertTrue(args.stream().filter(a -> a.startsWith("--jobName=")).count() <= 1);
    args.stream().filter(a -> a.startsWith("--jobName=")).forEach(a -> assertTrue(
        a.matches("--jobName=[a-z][-a-z0-9]*-\\d{8}-\\d{6}"), "a name Dataflow accepts: " + a));
    return args.stream().filter(a -> !a.startsWith("--jobName=")).toList();
  }

  @Test
  public void theUsersValueWins() {
    List<String> args = withoutJobName(RunnerDefaults.apply(List.of("--targetParallelism=4",
        "--enforceImmutability=true", "--awsRegion=eu-west-1"), MicroBatchLoadPipeline.NAME));
    assertEquals(List.of("--targetParallelism=4", "--enforceImmutability=true",
        "--awsRegion=eu-west-1", "--enforceEncodability=false", "--blockOnRun=false",
        "--appName=" + MicroBatchLoadPipeline.NAME), args);
    assertTrue(RunnerDefaults.apply(List.of("--appName=mine"), IngestPipeline.NAME).stream()
        .filter(a -> a.startsWith("--appName=")).toList().equals(List.of("--appName=mine")), "the user's name wins");
  }

  @Test
  public void otherRunnersGetTheirOwn() {
    String region = "--awsRegion=" + AwsRegionDefault.region();
    List<String> flink = withoutJobName(RunnerDefaults.apply(List.of("--runner=FlinkRunner"), MicroBatchLoadPipeline.NAME));
    assertEquals(List.of("--runner=FlinkRunner", region, "--objectReuse=true", "--fasterCopy=true",
        "--appName=" + MicroBatchLoadPipeline.NAME), flink);
    List<String> spark = withoutJobName(RunnerDefaults.apply(List.of("--runner", "SparkRunner"), IngestPipeline.NAME));
    assertEquals(List.of("--runner", "SparkRunner", region, "--sparkMaster=local[2]", "--appName=" + IngestPipeline.NAME),
        spark);
    // Under spark-submit, whose --master reaches the launcher as the spark.master property.
    System.setProperty("spark.master", "spark://127.0.0.1:7077");
    try {
      assertTrue(RunnerDefaults.apply(List.of("--runner=SparkRunner")).contains("--sparkMaster=spark://127.0.0.1:7077"));
    } finally {
      System.clearProperty("spark.master");
    }
  }

  /** With the region given, Beam's S3 file system never asks the EC2 metadata service for one. */
  @Test
  public void theAwsRegionIsAlwaysGiven() {
    AwsOptions options = PipelineOptionsFactory.fromArgs(
        RunnerDefaults.apply(List.of(), IngestPipeline.NAME).toArray(new String[0])).as(AwsOptions.class);
    assertEquals(Region.of(AwsRegionDefault.region()), options.getAwsRegion());
  }

  @Test
  public void theRegionComesFromTheSettingsElseUsEast1() {
    String before = System.getProperty("aws.region");
    try {
      System.setProperty("aws.region", "ap-south-1");
      assertEquals("ap-south-1", AwsRegionDefault.region());
      System.clearProperty("aws.region");
      Assumptions.assumeTrue(System.getenv("AWS_REGION") == null, "AWS_REGION is set here");
      Assumptions.assumeFalse(Files.exists(Path.of(System.getProperty("user.home"), ".aws", "config")), "an AWS profile exists here");
      assertEquals("us-east-1", AwsRegionDefault.region());
    } finally {
      if (before == null) {
        System.clearProperty("aws.region");
      } else {
        System.setProperty("aws.region", before);
      }
    }
  }
}
