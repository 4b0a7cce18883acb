package dev.meshflow.transforms.recommendations;

import dev.meshflow.transforms.ingest.ItemAttributes;
import java.io.Serializable;
import org.apache.beam.sdk.values.Row;

/** A user as the Users product publishes them: the country and tier a cold start uses, or a delete. */
public record ListedUser(String user, String country, String tier, boolean deleted) implements Serializable {
  /** The user a Users product row describes (a changelog's tombstone: deleted). */
  public static ListedUser of(Row productRow) {
    boolean deleted = ItemAttributes.isDeleted(productRow);
    return new ListedUser(productRow.getString("user_id"), deleted ? null : productRow.getString("country"),
        deleted ? null : productRow.getString("tier"), deleted);
  }

  /** Why an item is listed for a new user: "popular in DE". */
  public String reason() {
    return "popular in " + country;
  }
}
