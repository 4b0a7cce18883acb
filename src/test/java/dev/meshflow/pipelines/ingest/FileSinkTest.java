package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code file:} as a Firehose-style sink: JSON-lines files under table/yyyy/MM/dd/HH/, closed by
 * size, with no ':' in any name and no temporary file left; every row delivered once.
 */
public class FileSinkTest {
  private static final long EVENTS = 3_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=23&duplicates=0.05&malformed=0.05";
  private static final Pattern EVENT_ID = Pattern.compile("^\\{\"event_id\":\"([^\"]+)\"");

  @TempDir Path tmp;

  @Test
  public void deliversEveryRowOnceInHourlyFolders() throws Exception {
    Path out = TempFiles.newFolder(tmp, "delivery");
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(
        "DirectRunner", "--source=" + GENERATOR,
        // About 0.1 MB per file, so the size limit closes several files per shard.
        "--sink=file:" + out + "?bufferSize=0.1&bufferInterval=600&shards=2"))
        .as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertTrue(RunCounts.of(result).conserved(IngestPipeline.PIPELINE.spec(options).conservation()));

    List<Path> files;
    try (Stream<Path> walk = Files.walk(out)) {
      files = walk.filter(Files::isRegularFile).collect(Collectors.toList());
    }
    for (Path f : files) {
      String relative = out.relativize(f).toString();
      assertFalse(relative.contains(":"), "no ':' in " + relative);
      assertFalse(f.getFileName().toString().startsWith("."), "no temporary file left: " + relative);
      assertTrue(relative.matches("(interactions|dead_letter)/\\d{4}/\\d{2}/\\d{2}/\\d{2}/[^/]+\\.jsonl"), relative);
    }
    List<Path> interactionFiles = files.stream()
        .filter(f -> out.relativize(f).startsWith("interactions")).collect(Collectors.toList());
    assertTrue(interactionFiles.size() > 4, "the size limit closed several files: " + interactionFiles.size());

    IngestEtlModel.Result expected =
        IngestEtlModel.run(GeneratedInput.records(GENERATOR, EVENTS), EtlSpec.identity(), null);
    List<String> ids = new ArrayList<>();
    for (Path f : interactionFiles) {
      for (String line : Files.readAllLines(f)) {
        Matcher m = EVENT_ID.matcher(line);
        assertTrue(m.find(), line);
        ids.add(m.group(1));
      }
    }
    assertEquals(expected.rows.size(), ids.size(), "each row once");
    assertEquals(expected.rows.keySet(), new TreeSet<>(ids));
    long deadLetters = 0;
    for (Path f : files) {
      if (out.relativize(f).startsWith("dead_letter")) {
        deadLetters += Files.readAllLines(f).size();
      }
    }
    assertEquals(expected.deadLetters.size(), deadLetters);
  }
}
