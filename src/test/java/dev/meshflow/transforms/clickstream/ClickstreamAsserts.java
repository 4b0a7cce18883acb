package dev.meshflow.transforms.clickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/** Checks the Clickstream model tests share. */
final class ClickstreamAsserts {
  private ClickstreamAsserts() {}

  /** Each identity's latest row (highest pane index) names the person the model gives it. */
  static void latestPersonsAre(PCollection<Row> identities, Map<String, String> expected) {
    Map<String, String> want = new TreeMap<>(expected); // serializable, for the check
    PAssert.that(identities).satisfies(rows -> {
      Map<String, Row> latest = new TreeMap<>();
      for (Row r : rows) {
        latest.merge(r.getString("identity"), r, (a, b) -> a.getInt64("pane_index") >= b.getInt64("pane_index") ? a : b);
      }
      Map<String, String> persons = new TreeMap<>();
      latest.forEach((identity, r) -> persons.put(identity, r.getString("person_id")));
      assertEquals(want, persons);
      return null;
    });
  }
}
