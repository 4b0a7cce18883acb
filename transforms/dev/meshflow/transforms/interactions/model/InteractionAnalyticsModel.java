package dev.meshflow.transforms.interactions.model;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.ItemMinuteStats;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The reference model of {@code InteractionAnalytics} in batch: a plain loop over a finite input,
 * with no Beam, that states what the pipeline must produce. Tests compare runners against it; the
 * benchmarks use it as the plain-Java baseline.
 *
 * <p>Semantics: a record that fails validation is a dead letter; the first valid record of each
 * event_id counts (the one with the smallest origin, as the batch pipeline picks) and the rest are
 * duplicates; counts go to the one-minute window that holds the
 * event time.
 */
public final class InteractionAnalyticsModel {
  private static final long WINDOW_MILLIS = 60_000;

  private InteractionAnalyticsModel() {}

  /** A model run's full outcome. */
  public static final class Result {
    public final List<ItemMinuteStats> stats;
    /** Dead letters as {@code origin -> reason}, ordered by origin. */
    public final Map<String, String> deadLetters;
    public final long read;
    public final long valid;
    public final long duplicates;

    Result(List<ItemMinuteStats> stats, Map<String, String> deadLetters, long read, long valid,
        long duplicates) {
      this.stats = stats;
      this.deadLetters = deadLetters;
      this.read = read;
      this.valid = valid;
      this.duplicates = duplicates;
    }
  }

  /** One raw input record: where it came from and its bytes. */
  public static final class Record {
    final String origin;
    final byte[] payload;

    public Record(String origin, byte[] payload) {
      this.origin = origin;
      this.payload = payload;
    }

    public String origin() {
      return origin;
    }

    public byte[] payload() {
      return payload;
    }
  }

  private static final class Tally {
    String itemType;
    long plays, skips, likes, playlistAdds;
    final Set<String> users = new HashSet<>();
  }

  public static Result run(Iterable<Record> records) {
    ValidEvents valid = ValidEvents.of(records);
    Map<String, InteractionEvent> chosen = valid.chosen;
    // window start -> item id -> tally, both sorted, so the output order is the table's key order
    TreeMap<Long, TreeMap<String, Tally>> windows = new TreeMap<>();
    for (InteractionEvent e : chosen.values()) {
      long start = Math.floorDiv(e.timestampMillis(), WINDOW_MILLIS) * WINDOW_MILLIS;
      Tally t = windows.computeIfAbsent(start, k -> new TreeMap<>())
          .computeIfAbsent(e.itemId(), k -> new Tally());
      if (t.itemType == null || e.itemType().compareTo(t.itemType) < 0) {
        t.itemType = e.itemType();
      }
      switch (e.eventType()) {
        case "play": t.plays++; break;
        case "skip": t.skips++; break;
        case "like": t.likes++; break;
        default: t.playlistAdds++;
      }
      t.users.add(e.userId());
    }
    List<ItemMinuteStats> stats = new ArrayList<>();
    windows.forEach((start, items) -> items.forEach((item, t) -> stats.add(new ItemMinuteStats(
        start, start + WINDOW_MILLIS, item, t.itemType, t.plays, t.skips, t.likes, t.playlistAdds,
        t.users.size()))));
    return new Result(stats, valid.deadLetters, valid.read, chosen.size(), valid.duplicates);
  }
}
