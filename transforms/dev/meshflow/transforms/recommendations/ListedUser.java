package dev.meshflow.transforms.recommendations;

import java.io.Serializable;
import org.apache.beam.sdk.values.Row;

/** A user as the Users product publishes them: the country and tier a cold start uses, or a delete. */
public record ListedUser(String user, String country, String tier, boolean deleted) implements Serializable {
  /** The product rows' own column saying the version is a delete (io's ProductRows.DELETED). */
  static final String DELETED = "_deleted";

  /** The user a Users product row describes (a changelog's tombstone: deleted). */
  public static ListedUser of(Row productRow) {
    boolean deleted = productRow.getSchema().hasField(DELETED) && Boolean.TRUE.equals(productRow.getBoolean(DELETED));
    return new ListedUser(productRow.getString("user_id"), deleted ? null : productRow.getString("country"),
        deleted ? null : productRow.getString("tier"), deleted);
  }

  /** Why an item is listed for a new user: "popular in DE". */
  public String reason() {
    return "popular in " + country;
  }
}
