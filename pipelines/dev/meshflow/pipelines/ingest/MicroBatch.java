package dev.meshflow.pipelines.ingest;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.Stages;
import dev.meshflow.io.BulkLoader;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.file.LandingFiles;
import dev.meshflow.io.file.LineSplitter;
import dev.meshflow.transforms.ingest.InteractionsTable;
import dev.meshflow.transforms.interactions.InteractionParser;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.sdk.values.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads one micro-batch of landed files: files the ledger already holds are skipped, a file whose
 * bytes changed since it was loaded is reported (a dead letter with stage {@code changed-file})
 * and not reloaded, and the new files' lines are parsed and bulk-loaded with their dead letters and
 * ledger entries in one transaction. Plain Java, so the benchmark can time the same work outside
 * an engine.
 */
public final class MicroBatch {
  static final String CHANGED_FILE = "changed-file";
  private static final Logger LOG = LoggerFactory.getLogger(MicroBatch.class);

  private MicroBatch() {}

  /** What one batch did. */
  public static final class Outcome {
    public long lines;
    public long parseFailures;
    public long validLines;
    public long inserted;
    public long filesLoaded;
    public long filesSkipped;
    public long filesChanged;
    public long filesUnreadable;
    public long filesVanished;
  }

  public static Outcome load(BulkLoader loader, Iterable<String> batch) throws Exception {
    TreeSet<String> sorted = new TreeSet<>();
    batch.forEach(sorted::add); // a changed file may be listed twice in one batch
    List<String> paths = new ArrayList<>(sorted);
    Map<String, String> known = loader.loadedChecksums(paths);
    Map<String, Row> firstByEventId = new HashMap<>();
    List<Row> deadLetters = new ArrayList<>();
    List<BulkLoader.LoadedFile> files = new ArrayList<>();
    Outcome out = new Outcome();
    for (String path : paths) {
      LandingFiles.Content content;
      try {
        content = LandingFiles.read(path);
      } catch (FileNotFoundException | NoSuchFileException e) {
        out.filesVanished++; // removed or renamed after listing; a renamed file is listed anew
        LOG.warn("{} is gone since it was listed; skipped", path);
        continue;
      }
      String loadedSha = known.get(path);
      if (loadedSha != null) {
        if (loadedSha.equals(content.sha256)) {
          out.filesSkipped++;
        } else {
          out.filesChanged++;
          LOG.warn("{} changed after it was loaded; it is not reloaded", path);
          deadLetters.add(new DeadLetter(CHANGED_FILE, "the file changed after it was loaded"
              + " (sha256 was " + loadedSha + ", is " + content.sha256 + "); not reloaded",
              "file:" + path + "@" + content.sha256, content.sha256.getBytes(StandardCharsets.UTF_8),
              null, System.currentTimeMillis()).toRow());
        }
        continue;
      }
      if (content.unreadable != null) {
        // Not recorded in the ledger: the same name landed again, complete, loads then. The dead
        // letter's id follows the bytes, so reading the same bad file again adds no second one.
        out.filesUnreadable++;
        LOG.warn("{} is {}; not loaded", path, content.unreadable);
        byte[] kept = content.data.length <= RecordSource.UNREADABLE_BYTES_KEPT
            ? content.data : java.util.Arrays.copyOf(content.data, RecordSource.UNREADABLE_BYTES_KEPT);
        deadLetters.add(new DeadLetter(Stages.UNREADABLE_FILE, path + " is " + content.unreadable
            + "; not loaded" + (kept.length < content.size ? " (payload: its first " + kept.length
            + " of " + content.size + " bytes)" : ""),
            "file:" + path + "@" + content.sha256, kept, null, System.currentTimeMillis()).toRow());
        continue;
      }
      long[] fileLines = {0};
      String origin = "file:" + path + "#L";
      LineSplitter.forEachLine(new ByteArrayInputStream(content.data), (number, line) -> {
        fileLines[0]++;
        InteractionParser.Result r = InteractionParser.parse(origin + number, line);
        if (!r.isValid()) {
          deadLetters.add(new DeadLetter(Stages.PARSE, r.error(), origin + number, line, null,
              System.currentTimeMillis()).toRow());
          out.parseFailures++;
          return;
        }
        Row row = InteractionsTable.toRow(r.event().withoutPayload());
        // Within a batch the smallest origin wins, as in the batch pipelines.
        firstByEventId.merge(row.getString("event_id"), row,
            (a, b) -> a.getString("source_origin").compareTo(b.getString("source_origin")) <= 0 ? a : b);
      });
      out.lines += fileLines[0];
      files.add(new BulkLoader.LoadedFile(path, content.size, content.sha256, fileLines[0]));
    }
    out.validLines = out.lines - out.parseFailures;
    out.inserted = loader.load(InteractionsTable.TABLE, InteractionsTable.KEY,
        new ArrayList<>(firstByEventId.values()), DeadLetter.TABLE, DeadLetter.KEY, deadLetters, files);
    out.filesLoaded = files.size();
    if (!files.isEmpty()) {
      LOG.info("loaded {} files, {} new rows", files.size(), out.inserted);
    }
    return out;
  }
}
