package dev.meshflow.transforms.ingest;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.transforms.deadletter.GuardedFn;
import dev.meshflow.transforms.interactions.InteractionEvent;
import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.Row;

/**
 * One event enriched with its item's {@code [title, artist, genre]}, wherever they come from (a
 * catalog file's side input, or the items' changelog in state): a miss is kept with empty columns
 * or is a dead letter with stage {@code enrich}; a row this step throws on is a dead letter with
 * stage transform, as {@link GuardedFn} makes it.
 */
final class ItemEnrichment implements Serializable {
  private final boolean missIsError;
  private final RunMetrics.StageCounter misses =
      RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.ENRICH);
  private final RunMetrics.StageCounter failures = GuardedFn.counter();

  ItemEnrichment(boolean missIsError) {
    this.missIsError = missIsError;
  }

  /** @param item the item's attributes, or null where none are known */
  void enrich(InteractionEvent e, List<String> item, DoFn.MultiOutputReceiver out) {
    if (item == null && missIsError) {
      misses.inc();
      out.get(IngestEtl.DEAD_LETTERS).output(new DeadLetter(Stages.ENRICH,
          "item " + e.itemId() + " is not in the catalog", e.origin(), e.payload(),
          e.timestampMillis(), System.currentTimeMillis()));
      return;
    }
    Row enriched;
    try { // as GuardedFn does, for a step whose reference data is not its input
      Row row = InteractionsTable.toRow(e);
      enriched = item == null ? row : Row.fromRow(row).withFieldValue("title", item.get(0))
          .withFieldValue("artist", item.get(1)).withFieldValue("genre", item.get(2)).build();
    } catch (RuntimeException failure) {
      failures.inc();
      out.get(IngestEtl.DEAD_LETTERS).output(GuardedFn.deadLetter(IngestEtl.ENRICH_AND_MAP, e, failure));
      return;
    }
    out.get(IngestEtl.ROWS).output(enriched);
  }
}
