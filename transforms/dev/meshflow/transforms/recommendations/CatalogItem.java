package dev.meshflow.transforms.recommendations;

import dev.meshflow.transforms.ingest.ItemAttributes;
import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.values.Row;

/**
 * An item as its producer domain publishes it (the Songs and Podcasts products): its type, its
 * creator (a song's artist, a podcast's show) and its genre (a song's genre, a podcast's topic),
 * or a delete.
 */
public record CatalogItem(String item, String type, String creator, String genre, boolean deleted)
    implements Serializable {

  /** The item a Songs or Podcasts product row describes (a changelog's tombstone: deleted). */
  public static CatalogItem of(Row productRow) {
    String type = ItemAttributes.itemType(productRow);
    var attributes = ItemAttributes.of(productRow);
    List<String> titleCreatorGenre = attributes.getValue();
    if (titleCreatorGenre.isEmpty()) {
      return new CatalogItem(attributes.getKey(), type, null, null, true);
    }
    return new CatalogItem(attributes.getKey(), type, titleCreatorGenre.get(1), titleCreatorGenre.get(2), false);
  }

  /**
   * Whether an item may be recommended: always while the store holds no item products
   * ({@code catalogued} false); once it does, only if they list it ({@code listed}, its latest
   * version) and have not deleted it.
   */
  public static boolean available(boolean catalogued, CatalogItem listed) {
    return !catalogued || (listed != null && !listed.deleted());
  }

  /** Why an item by the same creator is listed: "same artist: Nova" or "same show: Deep Dive". */
  public String sameCreator() {
    return ("podcast".equals(type) ? "same show: " : "same artist: ") + creator;
  }

  /** Why an item of the same genre is listed: "same genre: jazz" or "same topic: science". */
  public String sameGenre() {
    return ("podcast".equals(type) ? "same topic: " : "same genre: ") + genre;
  }

  /** Why a trending item is listed: "trending in genre jazz", or "trending now" without one. */
  public static String trendingReason(String type, String genre) {
    return genre == null ? "trending now" : "trending in " + ("podcast".equals(type) ? "topic " : "genre ") + genre;
  }
}
