package dev.meshflow.transforms.clickstream.model;

import dev.meshflow.core.Stages;
import dev.meshflow.transforms.clickstream.ClickEvent;
import dev.meshflow.transforms.clickstream.ClickEventsTable;
import dev.meshflow.transforms.clickstream.ClickParser;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.IdentityMap;
import dev.meshflow.transforms.clickstream.Products;
import dev.meshflow.transforms.clickstream.RateOutliers;
import dev.meshflow.transforms.clickstream.SessionStats;
import dev.meshflow.transforms.clickstream.SessionsTable;
import dev.meshflow.transforms.clickstream.TrafficStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.values.Row;

/**
 * The reference for {@link Clickstream} in batch, in plain Java: the whole input in memory, one
 * union-find for the identities, each cookie's events sorted and split at gaps by hand. It shares
 * the contract pieces (parser, privacy, catalog, the session and traffic row layouts and the bot
 * rules) and nothing of Beam. It assumes no identity link expires within the input (the identity
 * ttl longer than the input's span); expiry is tested on the state machines themselves.
 */
public final class ClickstreamModel {
  private ClickstreamModel() {}

  /** One input line. */
  public static final class Record {
    public final String origin;
    public final byte[] payload;

    public Record(String origin, byte[] payload) {
      this.origin = origin;
      this.payload = payload;
    }
  }

  /** What the pipeline must produce. */
  public static final class Result {
    public final Map<String, Row> events = new TreeMap<>();
    public final Map<String, Row> sessions = new TreeMap<>();
    /** identity to person, for every linked identity. */
    public final Map<String, String> identities = new TreeMap<>();
    public final Map<String, Row> traffic = new TreeMap<>();
    /** origin to "stage: reason". */
    public final Map<String, String> deadLetters = new TreeMap<>();
    public long read;
    public long valid;
    public long duplicates;
    public long filtered;
    public long suppressedGroups;
  }

  public static Result run(List<Record> records, Products products, Clickstream.Settings s) {
    Result out = new Result();
    List<ClickEvent> events = new ArrayList<>();
    for (Record r : records) {
      out.read++;
      ClickParser.Result p = ClickParser.parse(r.origin, r.payload, s.privacy);
      if (p.event == null) {
        out.deadLetters.put(r.origin, Stages.PARSE + ": " + p.error);
      } else if ((s.fromMillis != null && p.event.tsMillis < s.fromMillis)
          || (s.toMillis != null && p.event.tsMillis >= s.toMillis)) {
        out.filtered++;
      } else {
        events.add(products.enrich(p.event));
      }
    }
    // Time order; at one instant, links apply before anyone's event is given a person.
    events.sort(Comparator.comparingLong((ClickEvent e) -> e.tsMillis).thenComparing(e -> e.eventId)
        .thenComparing(e -> e.origin));
    UnionFind people = new UnionFind();
    Map<String, List<ClickEvent>> byCookie = new TreeMap<>();
    Map<String, Set<String>> seenIds = new HashMap<>();
    int next = 0;
    while (next < events.size()) {
      long at = events.get(next).tsMillis;
      int end = next;
      while (end < events.size() && events.get(end).tsMillis == at) {
        ClickEvent e = events.get(end++);
        if (e.userId != null) {
          people.union("cookie:" + e.cookieId, "user:" + e.userId);
          if (e.deviceId != null) {
            people.union("device:" + e.deviceId, "user:" + e.userId);
          }
        }
      }
      for (int i = next; i < end; i++) {
        ClickEvent e = events.get(i);
        if (!seenIds.computeIfAbsent(e.cookieId, k -> new HashSet<>()).add(e.eventId)) {
          out.duplicates++;
          continue;
        }
        out.valid++;
        String cookie = IdentityMap.identity("cookie", e.cookieId);
        String person = people.contains(cookie) ? people.person(cookie) : cookie;
        ClickEvent tracked = e.ofPerson(person);
        out.events.put(tracked.eventId, ClickEventsTable.toRow(tracked));
        byCookie.computeIfAbsent(e.cookieId, k -> new ArrayList<>()).add(tracked);
      }
      next = end;
    }
    for (String identity : people.members()) {
      out.identities.put(identity, people.person(identity));
    }

    List<Row> sessions = new ArrayList<>();
    long gap = s.sessionGap.getMillis();
    for (Map.Entry<String, List<ClickEvent>> e : byCookie.entrySet()) {
      SessionStats current = null;
      long last = Long.MIN_VALUE;
      for (ClickEvent event : e.getValue()) { // already in time order
        if (current != null && event.tsMillis - last >= gap) {
          sessions.add(SessionsTable.toRow(e.getKey(), current, s.botMaxRatePerMinute));
          current = null;
        }
        if (current == null) {
          current = new SessionStats();
        }
        current.add(event);
        last = event.tsMillis;
      }
      sessions.add(SessionsTable.toRow(e.getKey(), current, s.botMaxRatePerMinute));
    }

    long statsWindow = s.botStatsWindow.getMillis();
    Map<Long, long[]> sums = new HashMap<>();
    for (Row session : sessions) {
      long rate = SessionsTable.rateCenti(session);
      long[] acc = sums.computeIfAbsent(Math.floorDiv(startOf(session), statsWindow), k -> new long[3]);
      acc[0]++;
      acc[1] += rate;
      acc[2] += rate * rate;
    }
    Map<String, TrafficStats> traffic = new TreeMap<>();
    for (Row session : sessions) {
      long[] acc = sums.get(Math.floorDiv(startOf(session), statsWindow));
      Row flagged = SessionsTable.rateCenti(session) > RateOutliers.threshold(acc[0], acc[1], acc[2], s.botSigmas)
          ? SessionsTable.asOutlier(session) : session;
      out.sessions.put(flagged.getString("session_id"), flagged);
      if (!flagged.getBoolean("is_bot")) {
        long hour = Math.floorDiv(startOf(flagged), 3_600_000L) * 3_600_000L;
        traffic.computeIfAbsent(hour + "|" + flagged.getString("country"), k -> new TrafficStats()).add(flagged);
      }
    }
    for (Map.Entry<String, TrafficStats> e : traffic.entrySet()) {
      String[] key = e.getKey().split("\\|", 2);
      Row row = e.getValue().toRow(Long.parseLong(key[0]), key[1], s.anonymityK);
      if (row == null) {
        out.suppressedGroups++;
      } else {
        out.traffic.put(e.getKey(), row);
      }
    }
    return out;
  }

  private static long startOf(Row session) {
    return session.getDateTime("start_ts").getMillis();
  }

  /** Identities joined into people; a person is named after its smallest user. */
  private static final class UnionFind {
    private final Map<String, String> parent = new HashMap<>();
    private final Map<String, String> smallestUser = new HashMap<>();

    boolean contains(String identity) {
      return parent.containsKey(identity);
    }

    Set<String> members() {
      return parent.keySet();
    }

    private String root(String x) {
      String p = parent.get(x);
      if (p.equals(x)) {
        return x;
      }
      String r = root(p);
      parent.put(x, r);
      return r;
    }

    private void add(String x) {
      if (parent.putIfAbsent(x, x) == null && x.startsWith("user:")) {
        smallestUser.put(x, x);
      }
    }

    void union(String a, String b) {
      add(a);
      add(b);
      String ra = root(a);
      String rb = root(b);
      if (!ra.equals(rb)) {
        parent.put(rb, ra);
        String ua = smallestUser.get(ra);
        String ub = smallestUser.get(rb);
        smallestUser.put(ra, ua == null ? ub : ub == null ? ua : ua.compareTo(ub) <= 0 ? ua : ub);
      }
    }

    String person(String identity) {
      return "person:" + smallestUser.get(root(identity)).substring("user:".length());
    }
  }
}
