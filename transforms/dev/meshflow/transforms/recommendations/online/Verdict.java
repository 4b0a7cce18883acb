package dev.meshflow.transforms.recommendations.online;

import dev.meshflow.transforms.recommendations.RecommendationTables;
import dev.meshflow.transforms.recommendations.RecommenderRules;
import dev.meshflow.transforms.recommendations.RecommenderRules.Play;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * Whether a served list was taken up: the user played one of its items among their first
 * {@link RecommenderRules#EVALUATION_PLAYS} plays after it was served, within the evaluation
 * window.
 *
 * @param hitRank the 1-based place in the list of the first item played; null for a miss
 * @param playsAfter the user's plays counted (at most EVALUATION_PLAYS)
 */
public record Verdict(String servedId, String userId, long servedAtMillis, String itemType, int items, boolean hit,
    Integer hitRank, int playsAfter) {

  private static final Comparator<Play> OLDEST_FIRST =
      Comparator.comparingLong(Play::timeMillis).thenComparing(Play::item);

  /** Judges {@code list} by the user's {@code plays} (any order; those outside the window are ignored). */
  static Verdict of(ServedList list, Iterable<Play> plays, long windowMillis) {
    List<Play> after = new ArrayList<>();
    for (Play p : plays) {
      if (p.timeMillis() > list.servedAtMillis() && p.timeMillis() <= list.servedAtMillis() + windowMillis) {
        after.add(p);
      }
    }
    after.sort(OLDEST_FIRST);
    List<Play> counted = after.subList(0, Math.min(after.size(), RecommenderRules.EVALUATION_PLAYS));
    Integer rank = null;
    for (Play p : counted) {
      int at = list.items().indexOf(p.item());
      if (at >= 0) {
        rank = at + 1;
        break;
      }
    }
    return new Verdict(list.servedId(), list.userId(), list.servedAtMillis(), list.itemType(), list.items().size(),
        rank != null, rank, counted.size());
  }

  /** This verdict as a row of {@link RecommendationTables#ONLINE_EVALUATION}: judged once, final. */
  public Row toRow() {
    return Row.withSchema(RecommendationTables.ONLINE_EVALUATION_SCHEMA)
        .addValues(servedId, userId, new Instant(servedAtMillis), itemType, items, hit, hitRank, playsAfter, 0L, true)
        .build();
  }
}
