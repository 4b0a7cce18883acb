package dev.meshflow.transforms.recommendations;

import java.util.Comparator;

/** What the recommender's transforms and its reference model agree on, in one place. */
public final class RecommenderRules {
  /** Two plays by one user this close are co-listened. */
  public static final long SESSION_GAP_MILLIS = 30 * 60_000L;
  /** How many of a user's latest plays seed the candidates and are excluded. */
  public static final int RECENT = 5;
  /** How many of a country's latest listeners a new user's list is drawn from. */
  public static final int COUNTRY_LISTENERS = 200;
  /** A served list is a hit if the user plays one of its items among this many next plays. */
  public static final int EVALUATION_PLAYS = 10;
  /** The width of the trending windows. */
  public static final long TRENDING_WINDOW_MILLIS = 10 * 60_000L;

  private RecommenderRules() {}

  /** One play of an item by a user. */
  public record Play(String item, long timeMillis) {}

  /** Newest first, ties by item id: the order of a user's recent plays everywhere. */
  public static final Comparator<Play> NEWEST_FIRST =
      Comparator.comparingLong(Play::timeMillis).reversed().thenComparing(Play::item);

  /** The start of the trending window that holds {@code timeMillis}. */
  public static long windowStart(long timeMillis) {
    return Math.floorDiv(timeMillis, TRENDING_WINDOW_MILLIS) * TRENDING_WINDOW_MILLIS;
  }
}
