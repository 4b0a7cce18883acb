package dev.meshflow.transforms.recommendations.model;

import dev.meshflow.transforms.recommendations.Scoring;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Offline quality of a recommender on a time-ordered split: the model learns from every event
 * before the split; then, for each play after it, the list it would have served that user just
 * before is checked for the item played ("leave the next item out"). The model keeps learning from
 * the test events as they come, as a live recommender does, and so do the baselines.
 *
 * <p>Metrics at 10: HitRate (the played item in the list), MRR (1/rank), NDCG (one relevant item:
 * 1/log2(rank+1)) and catalogue coverage (distinct items ever served / items in the data).
 */
public final class OfflineQuality {
  public static final int K = 10;

  private OfflineQuality() {}

  /** An interaction as the evaluation needs it. */
  public record Event(String user, String item, String itemType, String type, long timeMillis) {}

  /** The four numbers for one recommender. */
  public record Quality(String name, double hitRate, double mrr, double ndcg, double coverage, long cases) {
    @Override
    public String toString() {
      return String.format("%-18s HitRate@10 %.3f  MRR@10 %.3f  NDCG@10 %.3f  coverage %.3f  (%,d cases)",
          name, hitRate, mrr, ndcg, coverage, cases);
    }
  }

  /** The co-listening model against popularity and recent popularity, on one split. */
  public static List<Quality> evaluate(List<Event> events, double trainShare, long recentMillis) {
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(Event::timeMillis).thenComparing(Event::user).thenComparing(Event::item));
    int split = (int) (sorted.size() * trainShare);
    Set<String> catalogue = new HashSet<>();
    sorted.forEach(e -> catalogue.add(e.item()));

    RecommendationsModel model = new RecommendationsModel();
    RecentPopularity recent = new RecentPopularity(recentMillis);
    Map<String, Set<String>> played = new HashMap<>();
    Tally knn = new Tally("co-listening");
    Tally popularity = new Tally("popularity");
    Tally recentPopularity = new Tally("recent popularity");
    for (int i = 0; i < sorted.size(); i++) {
      Event e = sorted.get(i);
      boolean play = e.type().equals("play");
      if (i >= split && play) {
        Set<String> seen = played.getOrDefault(e.user(), Set.of());
        knn.add(e.item(), model.recommend(e.user(), K).stream().map(Scoring.Scored::item).toList());
        popularity.add(e.item(), unseen(model.popular(K + seen.size(), null), seen));
        recentPopularity.add(e.item(), recent.top(K, e.timeMillis(), seen));
      }
      if (play) {
        model.play(e.user(), e.item(), e.itemType(), e.timeMillis());
        recent.play(e.item(), e.timeMillis());
        played.computeIfAbsent(e.user(), u -> new HashSet<>()).add(e.item());
      } else if (e.type().equals("skip")) {
        model.skip(e.user(), e.item(), e.timeMillis());
      }
    }
    return List.of(knn.quality(catalogue.size()), popularity.quality(catalogue.size()),
        recentPopularity.quality(catalogue.size()));
  }

  private static List<String> unseen(List<Scoring.Scored> popular, Set<String> seen) {
    return popular.stream().map(Scoring.Scored::item).filter(i -> !seen.contains(i)).limit(K).toList();
  }

  /** Plays within the last {@code window} before now, counted as they slide. */
  private static final class RecentPopularity {
    private final long window;
    private final java.util.ArrayDeque<Event> inWindow = new java.util.ArrayDeque<>();
    private final Map<String, Long> counts = new HashMap<>();

    RecentPopularity(long window) {
      this.window = window;
    }

    void play(String item, long time) {
      inWindow.addLast(new Event("", item, "", "play", time));
      counts.merge(item, 1L, Long::sum);
    }

    List<String> top(int n, long now, Set<String> seen) {
      while (!inWindow.isEmpty() && inWindow.peekFirst().timeMillis() < now - window) {
        Event old = inWindow.removeFirst();
        counts.merge(old.item(), -1L, Long::sum);
        counts.remove(old.item(), 0L);
      }
      return counts.entrySet().stream().filter(c -> !seen.contains(c.getKey()))
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .limit(n).map(Map.Entry::getKey).toList();
    }
  }

  /** Hits, reciprocal ranks and gains of one recommender over the test plays. */
  private static final class Tally {
    private final String name;
    private long cases;
    private long hits;
    private double reciprocalRanks;
    private double gains;
    private final Set<String> served = new HashSet<>();

    Tally(String name) {
      this.name = name;
    }

    void add(String played, List<String> list) {
      cases++;
      served.addAll(list);
      int rank = list.indexOf(played) + 1;
      if (rank > 0 && rank <= K) {
        hits++;
        reciprocalRanks += 1.0 / rank;
        gains += 1.0 / (Math.log(rank + 1) / Math.log(2));
      }
    }

    Quality quality(int catalogue) {
      double n = Math.max(1, cases);
      return new Quality(name, hits / n, reciprocalRanks / n, gains / n, served.size() / (double) Math.max(1, catalogue), cases);
    }
  }
}
