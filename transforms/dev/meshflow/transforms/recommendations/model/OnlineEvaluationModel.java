package dev.meshflow.transforms.recommendations.model;

import dev.meshflow.transforms.recommendations.RecommenderRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Online evaluation in plain Java, the reference {@code OnlineEvaluation} is held to. Fed every
 * list served (a list read twice counts once) and every valid, deduplicated play, in any order, it
 * judges each list: a hit if the user played one of its items among their first
 * {@link RecommenderRules#EVALUATION_PLAYS} plays after it was served and at most {@code window}
 * after; plays at the same time count in item order.
 */
public final class OnlineEvaluationModel {
  /** One list's judgement, as a row of {@code rec_online_evaluation} holds it. */
  public record Judged(String servedId, String userId, long servedAtMillis, int items, boolean hit, Integer hitRank,
      int playsAfter) {}

  private record Served(String servedId, String userId, long servedAtMillis, List<String> items) {}

  private record UserPlay(String item, long timeMillis) {}

  private final long windowMillis;
  private final Map<String, Served> served = new HashMap<>();
  private final Map<String, List<UserPlay>> plays = new HashMap<>();

  public OnlineEvaluationModel(long windowMillis) {
    this.windowMillis = windowMillis;
  }

  public void served(String servedId, String userId, long servedAtMillis, List<String> items) {
    served.putIfAbsent(servedId, new Served(servedId, userId, servedAtMillis, List.copyOf(items)));
  }

  public void played(String userId, String itemId, long timeMillis) {
    plays.computeIfAbsent(userId, u -> new ArrayList<>()).add(new UserPlay(itemId, timeMillis));
  }

  /** Every list judged, by served id. */
  public Map<String, Judged> judged() {
    Map<String, Judged> out = new TreeMap<>();
    for (Served list : served.values()) {
      List<UserPlay> next = new ArrayList<>();
      for (UserPlay p : plays.getOrDefault(list.userId(), List.of())) {
        if (p.timeMillis() > list.servedAtMillis() && p.timeMillis() - list.servedAtMillis() <= windowMillis) {
          next.add(p);
        }
      }
      next.sort((a, b) -> a.timeMillis() != b.timeMillis() ? Long.compare(a.timeMillis(), b.timeMillis())
          : a.item().compareTo(b.item()));
      int counted = Math.min(next.size(), RecommenderRules.EVALUATION_PLAYS);
      Integer rank = null;
      for (int i = 0; i < counted && rank == null; i++) {
        for (int at = 0; at < list.items().size(); at++) {
          if (list.items().get(at).equals(next.get(i).item())) {
            rank = at + 1;
            break;
          }
        }
      }
      out.put(list.servedId(), new Judged(list.servedId(), list.userId(), list.servedAtMillis(), list.items().size(),
          rank != null, rank, counted));
    }
    return out;
  }

  /** The share of judged lists that were hits (0 if none): the online hit rate. */
  public double hitRate() {
    Map<String, Judged> all = judged();
    return all.isEmpty() ? 0 : all.values().stream().filter(Judged::hit).count() / (double) all.size();
  }
}
