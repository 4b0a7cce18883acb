package dev.meshflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which launches resume a Flink job's state, from which checkpoint, and what they are given. The
 * restore itself is proven end to end by {@code KafkaRestartTest}.
 */
public class FlinkResumeTest {
  @TempDir Path tmp;

  private static List<String> flinkStreaming(String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("--runner=FlinkRunner", "--streaming",
        "--source=kafka://127.0.0.1:9092/t?group=g", "--sink=duckdb:a.duckdb"));
    args.addAll(List.of(more));
    return RunnerDefaults.apply(args);
  }

  @Test
  public void aJobIsItsPipelineAndOptionsNotHowLongItRunsOrIsWatched() {
    String key = FlinkResume.jobKey("ingest", flinkStreaming());
    assertEquals(key, FlinkResume.jobKey("ingest", flinkStreaming("--runFor=PT5M", "--progressSeconds=2")));
    // The launcher names each run <pipeline>-<launch time>; two runs of one job are still one job.
    assertEquals(key, FlinkResume.jobKey("ingest", flinkStreaming("--jobName=ingest-20261207-101500")));
    assertEquals(FlinkResume.jobKey("ingest", RunnerDefaults.apply(flinkStreaming(), "ingest")),
        FlinkResume.jobKey("ingest", RunnerDefaults.apply(flinkStreaming("--jobName=ingest-20261207-101501"), "ingest")));
    assertNotEquals(key, FlinkResume.jobKey("ingest", flinkStreaming("--allowedLateness=PT1M")));
    assertNotEquals(key, FlinkResume.jobKey("interaction-analytics", flinkStreaming()));
    assertTrue(key.matches("ingest-[0-9a-f]{12}"), key);
  }

  @Test
  public void onlyEmbeddedFlinkStreamingWithTheLaunchersCheckpointFolderResumes() {
    assertTrue(FlinkResume.of("ingest", flinkStreaming()) != null);
    assertNull(FlinkResume.of("ingest", RunnerDefaults.apply(List.of("--runner=FlinkRunner"))), "batch");
    assertNull(FlinkResume.of("ingest", RunnerDefaults.apply(List.of("--streaming"))), "Direct");
    assertNull(FlinkResume.of("ingest", flinkStreaming("--flinkMaster=10.0.0.1:8081")), "a cluster");
    assertNull(FlinkResume.of("ingest", flinkStreaming("--flinkConfDir=/etc/flink")), "the user's own configuration");
  }

  @Test
  public void theCheckpointFolderIsRecognisedWhetherOrNotItsUriEndsInASlash() {
    String uri = RunnerDefaults.FLINK_CHECKPOINTS.toAbsolutePath().toUri().toString();
    String bare = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    assertTrue(FlinkResume.isLaunchersFolder(bare));
    assertTrue(FlinkResume.isLaunchersFolder(bare + "/"));
    assertTrue(!FlinkResume.isLaunchersFolder(bare + "-elsewhere"));
    assertTrue(!FlinkResume.isLaunchersFolder("s3://bucket/checkpoints"));
  }

  @Test
  public void theNewestCompletedCheckpointIsChosenAndAnUnfinishedOneIgnored() throws Exception {
    Path job = tmp;
    Path older = checkpoint(job, "job-a/chk-9", 1_000);
    Path newer = checkpoint(job, "job-b/chk-2", 2_000);
    Files.createDirectories(job.resolve("job-b/chk-3")); // being written when the JVM died: no _metadata
    assertEquals(Optional.of(newer), FlinkResume.newestCheckpoint(job));
    Files.delete(newer.resolve("_metadata"));
    assertEquals(Optional.of(older), FlinkResume.newestCheckpoint(job));
    assertEquals(Optional.empty(), FlinkResume.newestCheckpoint(job.resolve("none")));
  }

  @Test
  public void aResumedLaunchIsGivenTheCheckpointThroughFlinksConfigurationAndSaysSo() throws Exception {
    List<String> launch = flinkStreaming();
    FlinkResume resume = FlinkResume.of("resume-test", launch);
    Path folder = RunnerDefaults.FLINK_CHECKPOINTS.toAbsolutePath().resolve(FlinkResume.jobKey("resume-test", launch));
    try {
      Path chk = checkpoint(folder, "0123/chk-4", System.currentTimeMillis());
      resume = FlinkResume.of("resume-test", launch);
      ByteArrayOutputStream said = new ByteArrayOutputStream();
      List<String> args = resume.apply(launch, new PrintStream(said, true, StandardCharsets.UTF_8));
      assertTrue(args.contains("--stateBackendStoragePath=" + folder.toUri()), args.toString());
      assertEquals(1, args.stream().filter(a -> a.startsWith("--stateBackendStoragePath=")).count());
      String conf = RunnerDefaults.valueOf(args, "flinkConfDir");
      assertEquals("execution.savepoint.path: " + chk.toUri() + "\n",
          Files.readString(Path.of(conf, "flink-conf.yaml")));
      assertTrue(said.toString().startsWith("meshflow: resuming from meshflow-data/flink-checkpoints/resume-test-"), said.toString());
      resume.finished();
      assertTrue(!Files.exists(folder), "a finished job leaves nothing to resume");
    } finally {
      resume.finished();
    }
  }

  private static Path checkpoint(Path root, String at, long modifiedMillis) throws Exception {
    Path chk = Files.createDirectories(root.resolve(at));
    Path metadata = Files.writeString(chk.resolve("_metadata"), "x");
    Files.setLastModifiedTime(metadata, FileTime.fromMillis(modifiedMillis));
    return chk;
  }
}
