package dev.meshflow.pipelines.ingest;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.io.BulkLoader;
import dev.meshflow.transforms.ingest.InteractionsTable;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/** Runs {@link MicroBatch#load} for each batch of paths and counts what it did. */
final class LoadMicroBatchFn extends DoFn<KV<String, Iterable<String>>, Void> {
  static final String FILES_LOADED = "files_loaded";
  static final String FILES_SKIPPED = "files_already_loaded";
  static final String FILES_CHANGED = "files_changed_after_load";
  static final String FILES_UNREADABLE = "files_unreadable";
  static final String FILES_VANISHED = "files_gone_before_load";

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
  private final RunMetrics.StageCounter filesUnreadable = RunMetrics.counter(FILES_UNREADABLE);
  private final RunMetrics.StageCounter filesVanished = RunMetrics.counter(FILES_VANISHED);

  LoadMicroBatchFn(BulkLoader loader) {
    this.loader = loader;
  }

  @ProcessElement
  public void process(@Element KV<String, Iterable<String>> batch) throws Exception {
    MicroBatch.Outcome o = MicroBatch.load(loader, batch.getValue());
    // Counted only after the commit, so a failed and retried batch is not counted twice.
    read.inc(o.lines);
    parseFailures.inc(o.parseFailures);
    valid.inc(o.inserted);
    written.inc(o.inserted);
    duplicates.inc(o.validLines - o.inserted);
    filesLoaded.inc(o.filesLoaded);
    filesSkipped.inc(o.filesSkipped);
    filesChanged.inc(o.filesChanged);
    filesUnreadable.inc(o.filesUnreadable);
    filesVanished.inc(o.filesVanished);
  }

  @Teardown
  public void teardown() throws Exception {
    loader.close();
  }
}
