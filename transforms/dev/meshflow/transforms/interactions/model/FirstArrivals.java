package dev.meshflow.transforms.interactions.model;

import dev.meshflow.transforms.interactions.InteractionEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The streaming dedupe's reference ({@code DedupeByEventId.streaming}): in arrival order, an event
 * is kept unless an earlier kept occurrence of its id is still remembered at the event's own time.
 * A kept occurrence at event time t is remembered until t + retention. (The batch dedupe's
 * reference, the smallest origin per id whatever the order, is {@link ValidEvents}.)
 */
public final class FirstArrivals {
  private FirstArrivals() {}

  public static List<InteractionEvent> keep(Iterable<InteractionEvent> arrivals, long retentionMillis) {
    Map<String, Long> rememberedUntil = new HashMap<>();
    List<InteractionEvent> kept = new ArrayList<>();
    for (InteractionEvent e : arrivals) {
      Long until = rememberedUntil.get(e.eventId());
      if (until != null && until > e.timestampMillis()) {
        continue;
      }
      rememberedUntil.put(e.eventId(), e.timestampMillis() + retentionMillis);
      kept.add(e);
    }
    return kept;
  }
}
