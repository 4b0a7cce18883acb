package dev.meshflow.transforms.interactions.model;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionParser;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The first two steps every interaction model shares: parse and validate each record (failures are
 * dead letters), then keep one event per event_id, the one with the smallest origin, as the batch
 * pipelines pick.
 */
public final class ValidEvents {
  /** event_id to the chosen event. */
  public final Map<String, InteractionEvent> chosen = new HashMap<>();
  /** Dead letters as origin to reason, ordered by origin. */
  public final Map<String, String> deadLetters = new TreeMap<>();
  public long read;
  public long duplicates;

  private ValidEvents() {}

  public static ValidEvents of(Iterable<InteractionAnalyticsModel.Record> records) {
    ValidEvents v = new ValidEvents();
    for (InteractionAnalyticsModel.Record record : records) {
      v.read++;
      InteractionParser.Result parsed = InteractionParser.parse(record.origin(), record.payload());
      if (!parsed.isValid()) {
        v.deadLetters.put(record.origin(), parsed.error());
        continue;
      }
      InteractionEvent e = parsed.event();
      InteractionEvent previous = v.chosen.get(e.eventId());
      if (previous != null) {
        v.duplicates++;
        if (e.origin().compareTo(previous.origin()) >= 0) {
          continue;
        }
      }
      v.chosen.put(e.eventId(), e);
    }
    return v;
  }
}
