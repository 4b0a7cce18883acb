package dev.meshflow.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.meshflow.pipelines.ingest.IngestPipeline;
import dev.meshflow.pipelines.ingest.MicroBatchLoadPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.io.aws2.options.AwsOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Assume;
import org.junit.Test;
import software.amazon.awssdk.regions.Region;

/** The launcher's defaults: added where the user said nothing, never over what the user said. */
public class RunnerDefaultsTest {
  @Test
  public void directRunsWithoutItsTestChecks() {
    List<String> args = RunnerDefaults.apply(List.of("--source=x"), IngestPipeline.NAME);
    assertTrue(args.contains("--enforceImmutability=false"));
    assertTrue(args.contains("--enforceEncodability=false"));
    assertFalse("only micro-batch-load runs on one Direct worker",
        args.stream().anyMatch(a -> a.startsWith("--targetParallelism")));
  }

  @Test
  public void flinkStreamingCheckpointsSoThatKafkaOffsetsAreCommitted() {
    assertTrue(RunnerDefaults.apply(List.of("--runner=FlinkRunner", "--streaming"), IngestPipeline.NAME)
        .contains("--checkpointingInterval=10000"));
    assertTrue(RunnerDefaults.apply(List.of("--runner=FlinkRunner", "--streaming=true"), IngestPipeline.NAME)
        .contains("--checkpointingInterval=10000"));
    assertTrue("a job failing on every attempt ends instead of restarting for ever", RunnerDefaults
        .apply(List.of("--runner=FlinkRunner", "--streaming"), IngestPipeline.NAME)
        .containsAll(List.of("--numberOfExecutionRetries=3", "--executionRetryDelay=10000")));
    assertTrue("finished sources shut down, so a --runFor job ends", RunnerDefaults
        .apply(List.of("--runner=FlinkRunner", "--streaming"), IngestPipeline.NAME)
        .contains("--shutdownSourcesAfterIdleMs=0"));
    assertTrue("checkpoints go to files: the JobManager's heap takes 5 MB of state at most",
        RunnerDefaults.apply(List.of("--runner=FlinkRunner", "--streaming"), IngestPipeline.NAME)
            .containsAll(List.of("--stateBackend=filesystem", "--stateBackendStoragePath="
                + RunnerDefaults.FLINK_CHECKPOINTS.toAbsolutePath().toUri())));
    assertFalse("checkpoints must copy the state they write, so no fasterCopy in streaming",
        RunnerDefaults.apply(List.of("--runner=FlinkRunner", "--streaming"), IngestPipeline.NAME)
            .stream().anyMatch(a -> a.startsWith("--fasterCopy")));
    assertTrue("batch has no checkpoints: fasterCopy saves the copies", RunnerDefaults.apply(
        List.of("--runner=FlinkRunner"), IngestPipeline.NAME).contains("--fasterCopy=true"));
    assertFalse("a cluster keeps its own state backend", RunnerDefaults.apply(List.of(
        "--runner=FlinkRunner", "--streaming", "--flinkMaster=jm:8081"), IngestPipeline.NAME)
        .stream().anyMatch(a -> a.startsWith("--stateBackend")));
    assertFalse("batch has nothing to checkpoint", RunnerDefaults.apply(
        List.of("--runner=FlinkRunner", "--streaming=false"), IngestPipeline.NAME)
        .stream().anyMatch(a -> a.startsWith("--checkpointingInterval")));
    assertTrue("the user's interval wins", RunnerDefaults.apply(List.of("--runner=FlinkRunner",
        "--streaming", "--checkpointingInterval=60000"), IngestPipeline.NAME)
        .stream().filter(a -> a.startsWith("--checkpointingInterval")).count() == 1);
  }

  @Test
  public void microBatchLoadRunsOnOneDirectWorker() {
    assertTrue(RunnerDefaults.apply(List.of(), MicroBatchLoadPipeline.NAME)
        .contains("--targetParallelism=1"));
    assertTrue(RunnerDefaults.apply(List.of("--runner=DirectRunner"), MicroBatchLoadPipeline.NAME)
        .contains("--targetParallelism=1"));
  }

  @Test
  public void theUsersValueWins() {
    List<String> args = RunnerDefaults.apply(List.of("--targetParallelism=4",
        "--enforceImmutability=true", "--awsRegion=eu-west-1"), MicroBatchLoadPipeline.NAME);
    assertEquals(List.of("--targetParallelism=4", "--enforceImmutability=true",
        "--awsRegion=eu-west-1", "--enforceEncodability=false", "--blockOnRun=false"), args);
  }

  @Test
  public void otherRunnersGetTheirOwn() {
    String region = "--awsRegion=" + AwsRegionDefault.region();
    List<String> flink = RunnerDefaults.apply(List.of("--runner=FlinkRunner"), MicroBatchLoadPipeline.NAME);
    assertEquals(List.of("--runner=FlinkRunner", region, "--objectReuse=true", "--fasterCopy=true"), flink);
    List<String> spark = RunnerDefaults.apply(List.of("--runner", "SparkRunner"), IngestPipeline.NAME);
    assertEquals(List.of("--runner", "SparkRunner", region, "--sparkMaster=local[2]"), spark);
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
      Assume.assumeTrue("AWS_REGION is set here", System.getenv("AWS_REGION") == null);
      Assume.assumeFalse("an AWS profile exists here",
          Files.exists(Path.of(System.getProperty("user.home"), ".aws", "config")));
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
