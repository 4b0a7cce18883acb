package dev.meshflow.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.values.Row;

/**
 * What a streamed ETL of a generated backlog must leave: the batch model's rows and dead letters,
 * less planted-late events dead-lettered as {@code late}. A stream decides lateness by how far the
 * watermark had got when an event arrived, so it may dead-letter the events the generator planted
 * too late, and nothing else; after a replay such an event may also have landed.
 */
public final class StreamedEtl {
  private StreamedEtl() {}

  public static void assertMatchesModel(Tables tables, IngestEtlModel.Result expected,
      Set<String> plantedLate) throws Exception {
    Set<String> late = tables.deadLetterEventIds("late");
    Set<String> notPlanted = new TreeSet<>(late);
    notPlanted.removeAll(plantedLate);
    assertEquals(Set.of(), notPlanted, "late dead letters for events not planted late");
    Set<String> landed = new TreeSet<>(tables.dump("SELECT event_id FROM interactions"));
    List<Row> onTime = new ArrayList<>();
    expected.rows.forEach((id, row) -> {
      if (!late.contains(id) || landed.contains(id)) {
        onTime.add(row);
      }
    });
    String columns = Tables.ALL.replace(", source_origin", "");
    Diff.assertSameLines("interactions", Tables.render(onTime, columns),
        tables.interactions("interactions", columns));
    Map<String, String> deadLetters = new TreeMap<>(tables.deadLetters());
    deadLetters.values().removeIf(v -> v.startsWith("late: "));
    Diff.assertSameLines("dead letters", Tables.sortedValues(expected.deadLetters),
        Tables.sortedValues(deadLetters));
  }
}
