package dev.meshflow.transforms.clickstream;

import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.beam.sdk.values.Row;

/**
 * Identity stitching as a graph, stepped in event-time order. An event with a {@code user_id}
 * links its cookie and its device to that user; linked identities form one person, transitively
 * (cookie A, user U, device B). A person's id is {@code person:<smallest user id>}, so every runner
 * names it the same way. A link not seen again for {@code ttl} expires and the graph splits where
 * it held things together, which keeps the state bounded by the identities active within the ttl.
 *
 * <p>Emits an {@link IdentityMap} row whenever an identity's person changes (to its own id when it
 * loses its last link). The graph only sees link events (those with a user), which are few next to
 * all events; it runs on one key, so the person ids it hands out are consistent.
 */
public final class IdentityGraph implements OrderedPerKey.Step<ClickEvent, IdentityGraph.State, Row> {
  /** The one key the graph lives under. */
  public static final String KEY = "identity-graph";
  private final long ttlMillis;

  public IdentityGraph(long ttlMillis) {
    if (ttlMillis <= 0) {
      throw new IllegalArgumentException("the identity ttl must be positive");
    }
    this.ttlMillis = ttlMillis;
  }

  /** Links with their last-seen time (oldest first), who is adjacent to whom, and who is whose. */
  public static final class State implements Serializable {
    final LinkedHashMap<String, Long> links = new LinkedHashMap<>();
    final Map<String, Set<String>> adjacent = new HashMap<>();
    final Map<String, String> person = new HashMap<>();
    long version;

    public int identities() {
      return adjacent.size();
    }
  }

  @Override
  public State start() {
    return new State();
  }

  @Override
  public int tieBreak(ClickEvent a, ClickEvent b) {
    return a.eventId.compareTo(b.eventId);
  }

  @Override
  public void step(State s, ClickEvent e, long tsMillis, Consumer<Row> out) {
    expire(s, tsMillis, out);
    String user = IdentityMap.identity("user", e.userId);
    link(s, IdentityMap.identity("cookie", e.cookieId), user, tsMillis, out);
    if (e.deviceId != null) {
      link(s, IdentityMap.identity("device", e.deviceId), user, tsMillis, out);
    }
  }

  private void link(State s, String identity, String user, long ts, Consumer<Row> out) {
    String key = identity + '\n' + user;
    boolean known = s.links.remove(key) != null;
    s.links.put(key, ts); // re-insert: the map stays ordered by last-seen time
    if (!known) {
      s.adjacent.computeIfAbsent(identity, k -> new HashSet<>()).add(user);
      s.adjacent.computeIfAbsent(user, k -> new HashSet<>()).add(identity);
      relabel(s, user, ts, out);
    }
  }

  private void expire(State s, long now, Consumer<Row> out) {
    Set<String> touched = new TreeSet<>();
    Iterator<Map.Entry<String, Long>> it = s.links.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Long> link = it.next();
      if (link.getValue() > now - ttlMillis) {
        break;
      }
      it.remove();
      String[] ends = link.getKey().split("\n", 2);
      for (int i = 0; i < 2; i++) {
        Set<String> near = s.adjacent.get(ends[i]);
        near.remove(ends[1 - i]);
        if (near.isEmpty()) {
          s.adjacent.remove(ends[i]);
        }
        touched.add(ends[i]);
      }
    }
    for (String identity : touched) {
      if (!s.adjacent.containsKey(identity)) {
        if (s.person.remove(identity) != null) {
          out.accept(IdentityMap.toRow(identity, identity, now, ++s.version));
        }
      } else {
        relabel(s, identity, now, out);
      }
    }
  }

  /** Names the component of {@code start} after its smallest user, and emits who changed. */
  private static void relabel(State s, String start, long ts, Consumer<Row> out) {
    Set<String> component = new TreeSet<>();
    ArrayDeque<String> todo = new ArrayDeque<>();
    todo.add(start);
    component.add(start);
    String smallestUser = null;
    while (!todo.isEmpty()) {
      String at = todo.poll();
      if (at.startsWith("user:") && (smallestUser == null || at.compareTo(smallestUser) < 0)) {
        smallestUser = at;
      }
      for (String next : s.adjacent.getOrDefault(at, Set.of())) {
        if (component.add(next)) {
          todo.add(next);
        }
      }
    }
    String personId = personOf(smallestUser);
    for (String identity : component) { // sorted, so versions are numbered the same everywhere
      if (!personId.equals(s.person.put(identity, personId))) {
        out.accept(IdentityMap.toRow(identity, personId, ts, ++s.version));
      }
    }
  }

  /** {@code person:<user id>} for the identity {@code user:<user id>}. */
  public static String personOf(String userIdentity) {
    return "person:" + userIdentity.substring("user:".length());
  }
}
