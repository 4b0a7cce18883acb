package dev.meshflow.transforms.skips;

import java.io.Serializable;
import java.util.Map;

/**
 * Where a listen's taste categories come from: the user's cohort and the item's genre, which the
 * skip features cross ({@link SkipFeatures}). Either the convention the interaction generator's
 * ids follow (user number mod {@value SkipFeatures#COHORTS}, item number mod
 * {@value SkipFeatures#GENRES}), or the Users and Songs data products (a user's tier, a song's
 * genre), given as the category's index in the product's contract; -1 where the product does not
 * know the entity.
 */
public final class TasteAttributes implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The generator's id convention. */
  public static final TasteAttributes FROM_IDS = new TasteAttributes(null, null);

  private final Map<String, Integer> cohortByUser;
  private final Map<String, Integer> genreByItem;

  private TasteAttributes(Map<String, Integer> cohortByUser, Map<String, Integer> genreByItem) {
    this.cohortByUser = cohortByUser;
    this.genreByItem = genreByItem;
  }

  /** From the products: user id to cohort index, item id to genre index. */
  public static TasteAttributes of(Map<String, Integer> cohortByUser, Map<String, Integer> genreByItem) {
    return new TasteAttributes(Map.copyOf(cohortByUser), Map.copyOf(genreByItem));
  }

  public int cohort(String userId) {
    if (cohortByUser != null) {
      return cohortByUser.getOrDefault(userId, -1);
    }
    int user = numberIn(userId);
    return user < 0 ? -1 : user % SkipFeatures.COHORTS;
  }

  public int genre(String itemId) {
    if (genreByItem != null) {
      return genreByItem.getOrDefault(itemId, -1);
    }
    int item = numberIn(itemId);
    return item < 0 ? -1 : item % SkipFeatures.GENRES;
  }

  /** The number in an id such as {@code user-17} or {@code song-0042}; -1 when there is none. */
  static int numberIn(String id) {
    int dash = id.lastIndexOf('-');
    try {
      return dash < 0 ? -1 : Integer.parseInt(id.substring(dash + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
