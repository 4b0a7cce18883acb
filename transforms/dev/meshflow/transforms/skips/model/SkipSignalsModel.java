package dev.meshflow.transforms.skips.model;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import dev.meshflow.transforms.interactions.model.ValidEvents;
import dev.meshflow.transforms.skips.Labeled;
import dev.meshflow.transforms.skips.Listen;
import dev.meshflow.transforms.skips.SkipFeatures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plain-Java reference for {@code SkipSignals} and {@code LabelOutcomes} over a finite batch:
 * listens with their features and each listen's label, computed without Beam by walking each
 * user's events in time order.
 */
public final class SkipSignalsModel {
  public final List<Listen> listens = new ArrayList<>();
  /** Listen id to skipped. */
  public final Map<String, Boolean> labels = new TreeMap<>();
  public final ValidEvents valid;

  private SkipSignalsModel(ValidEvents valid) {
    this.valid = valid;
  }

  public static SkipSignalsModel of(Iterable<InteractionAnalyticsModel.Record> records, long timeoutMillis) {
    SkipSignalsModel m = new SkipSignalsModel(ValidEvents.of(records));
    Map<String, List<InteractionEvent>> byUser = new TreeMap<>();
    for (InteractionEvent e : m.valid.chosen.values()) {
      byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
    }
    for (List<InteractionEvent> events : byUser.values()) {
      events.sort(Comparator.comparingLong(InteractionEvent::timestampMillis).thenComparing(InteractionEvent::eventId));
      m.features(events);
      m.label(events, timeoutMillis);
    }
    return m;
  }

  private void features(List<InteractionEvent> events) {
    long plays = 0;
    long skips = 0;
    String session = "";
    int position = 0;
    for (InteractionEvent e : events) {
      if (e.eventType().equals("play")) {
        String s = e.sessionId() == null ? "" : e.sessionId();
        if (!s.equals(session)) {
          session = s;
          position = 0;
        }
        listens.add(new Listen(e.eventId(), e.userId(), e.itemId(), s, e.timestampMillis(),
            SkipFeatures.vector(e.userId(), e.itemId(), e.itemType(), e.device(), e.timestampMillis(),
                position, plays, skips)));
        plays++;
        position++;
      } else if (e.eventType().equals("skip")) {
        skips++;
      }
    }
  }

  /** A skip belongs to the latest play of its session and item at or before it, within the timeout. */
  private void label(List<InteractionEvent> events, long timeoutMillis) {
    Map<String, InteractionEvent> latestPlay = new TreeMap<>();
    for (InteractionEvent e : events) {
      String key = Listen.outcomeKey(e.sessionId(), e.itemId());
      if (e.eventType().equals("play")) {
        labels.put(e.eventId(), false);
        latestPlay.put(key, e);
      } else if (e.eventType().equals("skip")) {
        InteractionEvent play = latestPlay.get(key);
        if (play != null && e.timestampMillis() <= play.timestampMillis() + timeoutMillis) {
          labels.put(play.eventId(), true);
        }
      }
    }
  }

  public List<Labeled<Listen>> labelled() {
    List<Labeled<Listen>> out = new ArrayList<>();
    for (Listen l : listens) {
      out.add(new Labeled<>(l, labels.get(l.listenId)));
    }
    return out;
  }
}
