package dev.meshflow.transforms.ingest.model;

import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.FillMissingDevice;
import dev.meshflow.transforms.ingest.InteractionsTable;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel.Record;
import dev.meshflow.transforms.interactions.model.ValidEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.values.Row;

/**
 * The reference model of {@code IngestEtl} in batch: what the {@code interactions} table and the
 * dead letters must hold for a finite input, computed with plain loops.
 */
public final class IngestEtlModel {
  private IngestEtlModel() {}

  /** A model run's outcome. */
  public static final class Result {
    /** event_id to row, ordered by event_id. */
    public final Map<String, Row> rows = new TreeMap<>();
    /** Dead letters as origin to "stage: reason". */
    public final Map<String, String> deadLetters = new TreeMap<>();
    public long read;
    public long duplicates;
    public long filtered;
  }

  /** @param catalog item_id to [title, artist, genre], or null for no enrichment */
  public static Result run(Iterable<Record> records, EtlSpec spec, Map<String, List<String>> catalog) {
    ValidEvents valid = ValidEvents.of(records);
    Result out = new Result();
    out.read = valid.read;
    out.duplicates = valid.duplicates;
    valid.deadLetters.forEach((origin, reason) -> out.deadLetters.put(origin, "parse: " + reason));

    List<Row> rows = new ArrayList<>();
    for (InteractionEvent e : valid.chosen.values()) {
      if (!spec.keeps(e.eventType(), e.itemType())) {
        out.filtered++;
        continue;
      }
      Row row = InteractionsTable.toRow(e);
      if (catalog != null) {
        List<String> item = catalog.get(e.itemId());
        if (item == null && spec.catalogMissIsError) {
          out.deadLetters.put(e.origin(), "enrich: item " + e.itemId() + " is not in the catalog");
          continue;
        }
        if (item != null) {
          row = Row.fromRow(row).withFieldValue("title", item.get(0))
              .withFieldValue("artist", item.get(1)).withFieldValue("genre", item.get(2)).build();
        }
      }
      rows.add(row);
    }
    if (spec.fillMissingDevice) {
      rows.sort(FillMissingDevice.ORDER);
      rows = FillMissingDevice.fillSorted(rows);
    }
    for (Row r : rows) {
      Row protectedRow = spec.privacy.apply(r);
      out.rows.put(protectedRow.getString("event_id"), protectedRow);
    }
    return out;
  }
}
