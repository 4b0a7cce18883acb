package dev.meshflow.pipelines;

import dev.meshflow.io.file.LandingFiles;
import dev.meshflow.io.file.LineSplitter;
import dev.meshflow.io.sql.BulkLoader;
import dev.meshflow.options.RunMetrics;
import dev.meshflow.transforms.deadletter.DeadLetter;
import dev.meshflow.transforms.deadletter.Stages;
import dev.meshflow.transforms.ingest.InteractionsTable;
import dev.meshflow.transforms.interactions.InteractionParser;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads one micro-batch of landed files: files the ledger already holds are skipped, a file whose
 * bytes changed since it was loaded is reported (a dead letter with stage {@code changed-file})
 * and not reloaded, and the new files' lines are parsed and bulk-loaded with their dead letters and
 * ledger entries in one transaction.
 */
final class LoadMicroBatchFn extends DoFn<KV<String, Iterable<String>>, Void> {
  static final String CHANGED_FILE = "changed-file";
  static final String FILES_LOADED = "files_loaded";
  static final String FILES_SKIPPED = "files_already_loaded";
  static final String FILES_CHANGED = "files_changed_after_load";
  private static final Logger LOG = LoggerFactory.getLogger(LoadMicroBatchFn.class);

  private final BulkLoader loader;
  private final RunMetrics.StageCounter read = RunMetrics.counter(RunMetrics.READ);
  private final RunMetrics.StageCounter valid = RunMetrics.counter(RunMetrics.VALID);
  private final RunMetrics.StageCounter duplicates = RunMetrics.counter(RunMetrics.DUPLICATES);
  private final RunMetrics.StageCounter parseFailures =
      RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.PARSE);
  private final RunMetrics.StageCounter written =
      RunMetrics.counter(RunMetrics.rowsWritten(InteractionsTable.TABLE));
  private final RunMetrics.StageCounter filesLoaded = RunMetrics.counter(FILES_LOADED);
  private final RunMetrics.StageCounter filesSkipped = RunMetrics.counter(FILES_SKIPPED);
  private final RunMetrics.StageCounter filesChanged = RunMetrics.counter(FILES_CHANGED);

  LoadMicroBatchFn(BulkLoader loader) {
    this.loader = loader;
  }

  @ProcessElement
  public void process(@Element KV<String, Iterable<String>> batch) throws Exception {
    TreeSet<String> sorted = new TreeSet<>();
    batch.getValue().forEach(sorted::add); // a changed file may be listed twice in one batch
    List<String> paths = new ArrayList<>(sorted);
    Map<String, String> known = loader.loadedChecksums(paths);
    Map<String, Row> firstByEventId = new HashMap<>();
    List<Row> deadLetters = new ArrayList<>();
    List<BulkLoader.LoadedFile> files = new ArrayList<>();
    long lines = 0;
    long parseDead = 0;
    long validLines = 0;
    for (String path : paths) {
      LandingFiles.Content content = LandingFiles.read(path);
      String loadedSha = known.get(path);
      if (loadedSha != null) {
        if (loadedSha.equals(content.sha256)) {
          filesSkipped.inc();
        } else {
          filesChanged.inc();
          LOG.warn("{} changed after it was loaded; it is not reloaded", path);
          deadLetters.add(new DeadLetter(CHANGED_FILE, "the file changed after it was loaded"
              + " (sha256 was " + loadedSha + ", is " + content.sha256 + "); not reloaded",
              "file:" + path + "@" + content.sha256, content.sha256.getBytes(StandardCharsets.UTF_8),
              null, System.currentTimeMillis()).toRow());
        }
        continue;
      }
      long[] fileLines = {0};
      String origin = "file:" + path + "#L";
      List<DeadLetter> fileDead = new ArrayList<>();
      LineSplitter.forEachLine(new ByteArrayInputStream(content.data), (number, line) -> {
        fileLines[0]++;
        InteractionParser.Result r = InteractionParser.parse(origin + number, line);
        if (!r.isValid()) {
          fileDead.add(new DeadLetter(Stages.PARSE, r.error(), origin + number, line, null,
              System.currentTimeMillis()));
          return;
        }
        Row row = InteractionsTable.toRow(r.event().withoutPayload());
        // Within a batch the smallest origin wins, as in the batch pipelines.
        firstByEventId.merge(row.getString("event_id"), row,
            (a, b) -> a.getString("source_origin").compareTo(b.getString("source_origin")) <= 0 ? a : b);
      });
      lines += fileLines[0];
      parseDead += fileDead.size();
      validLines += fileLines[0] - fileDead.size();
      fileDead.forEach(d -> deadLetters.add(d.toRow()));
      files.add(new BulkLoader.LoadedFile(path, content.size, content.sha256, fileLines[0]));
    }
    long inserted = loader.load(InteractionsTable.TABLE, InteractionsTable.KEY,
        new ArrayList<>(firstByEventId.values()), DeadLetter.TABLE, DeadLetter.KEY, deadLetters, files);
    // Counted only after the commit, so a failed and retried batch is not counted twice.
    read.inc(lines);
    parseFailures.inc(parseDead);
    valid.inc(inserted);
    written.inc(inserted);
    duplicates.inc(validLines - inserted);
    filesLoaded.inc(files.size());
    if (!files.isEmpty()) {
      LOG.info("loaded {} files, {} new rows", files.size(), inserted);
    }
  }

  @Teardown
  public void teardown() throws Exception {
    loader.close();
  }
}
