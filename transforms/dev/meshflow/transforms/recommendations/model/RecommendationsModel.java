package dev.meshflow.transforms.recommendations.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The recommender in plain Java, the reference the Beam transforms will be held to, as Nexmark
 * pairs a query with its model. Fed plays and skips in event-time order, it keeps:
 *
 * <ul>
 *   <li>co-listening: each pair of items one user played within {@link #SESSION_GAP_MILLIS} of each
 *       other, counted both ways (item-to-item neighbours, session-kNN);
 *   <li>how often each item was played (popularity, for the cosine and for trending);
 *   <li>each user's recent plays ({@link #RECENT}) and the items the user skipped.
 * </ul>
 *
 * <p>A user's candidates are the neighbours of the user's recent plays, scored by cosine
 * co-listening, {@code co(a, c) / sqrt(plays(a) * plays(c))}, summed over those plays. Items the
 * user played recently or skipped are left out; a user with nothing to go on gets the most played.
 */
public final class RecommendationsModel {
  /** Two plays by one user this close are co-listened. */
  public static final long SESSION_GAP_MILLIS = 30 * 60_000L;
  /** How many of a user's latest plays seed the candidates and are excluded. */
  public static final int RECENT = 5;

  private final Map<String, Map<String, Long>> coListens = new HashMap<>();
  private final Map<String, Long> plays = new HashMap<>();
  private final Map<String, Deque<Play>> recent = new HashMap<>();
  private final Map<String, Set<String>> skipped = new HashMap<>();

  /** One play of an item by a user. */
  private record Play(String item, long timeMillis) {}

  /** A recommended item, its score and why. */
  public record Scored(String item, double score, String because) {}

  /** Adds a play; events must come in event-time order per user. */
  public void play(String user, String item, long timeMillis) {
    plays.merge(item, 1L, Long::sum);
    Deque<Play> history = recent.computeIfAbsent(user, u -> new ArrayDeque<>());
    for (Play earlier : history) {
      if (timeMillis - earlier.timeMillis() <= SESSION_GAP_MILLIS && !earlier.item().equals(item)) {
        coListens.computeIfAbsent(earlier.item(), i -> new HashMap<>()).merge(item, 1L, Long::sum);
        coListens.computeIfAbsent(item, i -> new HashMap<>()).merge(earlier.item(), 1L, Long::sum);
      }
    }
    history.addFirst(new Play(item, timeMillis));
    while (history.size() > RECENT) {
      history.removeLast();
    }
  }

  public void skip(String user, String item) {
    skipped.computeIfAbsent(user, u -> new HashSet<>()).add(item);
  }

  /** The {@code n} best items for {@code user} now. */
  public List<Scored> recommend(String user, int n) {
    Set<String> exclude = new HashSet<>(skipped.getOrDefault(user, Set.of()));
    List<Play> history = new ArrayList<>(recent.getOrDefault(user, new ArrayDeque<>()));
    history.forEach(p -> exclude.add(p.item()));
    Map<String, double[]> scores = new HashMap<>();
    Map<String, String> because = new HashMap<>();
    for (Play seed : history) {
      double seedPlays = plays.getOrDefault(seed.item(), 1L);
      for (Map.Entry<String, Long> e : coListens.getOrDefault(seed.item(), Map.of()).entrySet()) {
        if (exclude.contains(e.getKey())) {
          continue;
        }
        double s = e.getValue() / Math.sqrt(seedPlays * plays.getOrDefault(e.getKey(), 1L));
        double[] total = scores.computeIfAbsent(e.getKey(), k -> new double[2]);
        total[0] += s;
        if (s > total[1]) {
          total[1] = s;
          because.put(e.getKey(), "because you played " + seed.item());
        }
      }
    }
    List<Scored> out = new ArrayList<>();
    scores.forEach((item, s) -> out.add(new Scored(item, s[0], because.get(item))));
    out.sort(BEST_FIRST);
    if (out.size() > n) {
      return List.copyOf(out.subList(0, n));
    }
    for (Scored p : popular(n + exclude.size() + out.size())) {
      if (out.size() >= n) {
        break;
      }
      if (!exclude.contains(p.item()) && out.stream().noneMatch(o -> o.item().equals(p.item()))) {
        out.add(new Scored(p.item(), 0, "popular"));
      }
    }
    return List.copyOf(out);
  }

  /** The {@code n} most played items. */
  public List<Scored> popular(int n) {
    List<Scored> all = new ArrayList<>();
    plays.forEach((item, count) -> all.add(new Scored(item, count, "popular")));
    all.sort(BEST_FIRST);
    return List.copyOf(all.subList(0, Math.min(n, all.size())));
  }

  /** Highest score first; ties by item id, so that every run ranks alike. */
  static final Comparator<Scored> BEST_FIRST =
      Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::item);
}
