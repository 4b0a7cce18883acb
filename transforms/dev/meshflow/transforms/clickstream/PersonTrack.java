package dev.meshflow.transforms.clickstream;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One cookie's events and identity updates in event-time order: an event id seen before is a
 * duplicate (an exact re-send; the first by origin is kept), and each event is given the person
 * the cookie belongs to at that moment, or the cookie's own id while it is linked to nobody. An
 * update at the same instant as an event applies first, so the event that links a cookie already
 * carries its person. A cookie idle for longer than {@code ttlMillis} starts afresh, as its links
 * in {@link IdentityGraph} expire after the same time.
 */
public final class PersonTrack implements OrderedPerKey.Step<ClickEvent, PersonTrack.State, ClickEvent> {
  private final RunMetrics.StageCounter duplicates = RunMetrics.counter(RunMetrics.DUPLICATES);
  private final RunMetrics.StageCounter valid = RunMetrics.counter(RunMetrics.VALID);
  private final long ttlMillis;

  public PersonTrack(long ttlMillis) {
    this.ttlMillis = ttlMillis;
  }

  /** What a cookie remembers: its person and the event ids of its last ttl. */
  public static final class State implements Serializable {
    String person;
    long lastSeen = Long.MIN_VALUE;
    final Map<String, Long> seenIds = new HashMap<>();
  }

  @Override
  public State start() {
    return new State();
  }

  @Override
  public int tieBreak(ClickEvent a, ClickEvent b) {
    if (a.isPersonUpdate() != b.isPersonUpdate()) {
      return a.isPersonUpdate() ? -1 : 1;
    }
    if (a.isPersonUpdate()) {
      return 0; // the graph emits one update per cookie and instant at most
    }
    int byId = a.eventId.compareTo(b.eventId);
    return byId != 0 ? byId : a.origin.compareTo(b.origin);
  }

  @Override
  public void step(State s, ClickEvent e, long tsMillis, Consumer<ClickEvent> out) {
    ClickEvent tracked = advance(s, e, ttlMillis);
    if (tracked != null) {
      valid.inc();
      RunMetrics.noteEventTime(tsMillis);
      out.accept(tracked);
    } else if (!e.isPersonUpdate()) {
      duplicates.inc();
    }
  }

  /** The model's entry point: the event with its person, or null for an update or a duplicate. */
  public static ClickEvent advance(State s, ClickEvent e, long ttlMillis) {
    if (s.lastSeen != Long.MIN_VALUE && e.tsMillis - s.lastSeen > ttlMillis) {
      s.person = null;
      s.seenIds.clear();
    }
    s.lastSeen = Math.max(s.lastSeen, e.tsMillis);
    if (e.isPersonUpdate()) {
      s.person = e.personId.equals(IdentityMap.identity("cookie", e.cookieId)) ? null : e.personId;
      return null;
    }
    if (s.seenIds.putIfAbsent(e.eventId, e.tsMillis) != null) {
      return null;
    }
    if (s.seenIds.size() > 64) {
      s.seenIds.values().removeIf(t -> t <= e.tsMillis - ttlMillis);
    }
    return e.ofPerson(s.person != null ? s.person : IdentityMap.identity("cookie", e.cookieId));
  }
}
