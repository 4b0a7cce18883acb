package dev.meshflow.transforms.skips.model;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import dev.meshflow.transforms.interactions.model.ValidEvents;
import dev.meshflow.transforms.skips.ItemHistory;
import dev.meshflow.transforms.skips.Labeled;
import dev.meshflow.transforms.skips.Listen;
import dev.meshflow.transforms.skips.SkipFeatures;
import dev.meshflow.transforms.skips.TasteAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plain-Java reference for {@code SkipSignals} and {@code LabelOutcomes} over a finite batch:
 * listens with their features and each listen's label, computed without Beam by walking each
 * item's and then each user's events in time order.
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
    return of(records, timeoutMillis, TasteAttributes.FROM_IDS);
  }

  /** @param taste where each user's cohort and each item's genre come from */
  public static SkipSignalsModel of(Iterable<InteractionAnalyticsModel.Record> records, long timeoutMillis,
      TasteAttributes taste) {
    SkipSignalsModel m = new SkipSignalsModel(ValidEvents.of(records));
    Map<String, List<InteractionEvent>> byUser = new TreeMap<>();
    Map<String, List<InteractionEvent>> byItem = new TreeMap<>();
    for (InteractionEvent e : m.valid.chosen.values()) {
      byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
      byItem.computeIfAbsent(e.itemId(), i -> new ArrayList<>()).add(e);
    }
    Map<String, float[]> itemContext = new HashMap<>();
    for (List<InteractionEvent> events : byItem.values()) {
      events.sort(IN_TIME_ORDER);
      itemContexts(events, itemContext);
    }
    for (List<InteractionEvent> events : byUser.values()) {
      events.sort(IN_TIME_ORDER);
      m.features(events, itemContext, taste);
      m.label(events, timeoutMillis);
    }
    return m;
  }

  private static final Comparator<InteractionEvent> IN_TIME_ORDER =
      Comparator.comparingLong(InteractionEvent::timestampMillis).thenComparing(InteractionEvent::eventId);

  /** Per play, its item's popularity and skip rate from the item's earlier plays and skips. */
  private static void itemContexts(List<InteractionEvent> events, Map<String, float[]> out) {
    ItemHistory h = new ItemHistory();
    for (InteractionEvent e : events) {
      long ts = e.timestampMillis();
      if (e.eventType().equals("play")) {
        out.put(e.eventId(), new float[] {h.popularity(ts), h.skipRate(ts)});
        h.play(ts);
      } else if (e.eventType().equals("skip")) {
        h.skip(ts);
      }
    }
  }

  private void features(List<InteractionEvent> events, Map<String, float[]> itemContext, TasteAttributes taste) {
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
        float[] item = itemContext.get(e.eventId());
        listens.add(new Listen(e.eventId(), e.userId(), e.itemId(), s, e.timestampMillis(),
            SkipFeatures.vector(taste.cohort(e.userId()), taste.genre(e.itemId()), e.itemType(), e.device(),
                e.timestampMillis(), position, plays, skips, item[0], item[1])));
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
