package dev.meshflow.transforms.ingest;

import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;

/**
 * What the enrichment takes from an item product's row: {@code [title, artist, genre]}, keyed by
 * the item id, as the catalog file gives them. Songs give title, artist and genre; podcasts give
 * the episode's title, its show and its topic. A deleted item gives an empty list.
 */
public final class ItemAttributes {
  /** The product rows' own column saying the version is a delete (io's ProductRows.DELETED). */
  public static final String DELETED = "_deleted";

  private ItemAttributes() {}

  public static KV<String, List<String>> of(Row row) {
    Schema schema = row.getSchema();
    boolean deleted = isDeleted(row);
    if (schema.hasField("song_id")) {
      return KV.of(row.getString("song_id"), deleted ? List.of()
          : Arrays.asList(row.getString("title"), row.getString("artist"), row.getString("genre")));
    }
    if (schema.hasField("episode_id")) {
      return KV.of(row.getString("episode_id"), deleted ? List.of()
          : Arrays.asList(row.getString("title"), row.getString("show"), row.getString("topic")));
    }
    throw notAnItem(schema);
  }

  /** Whether a product row is a delete (a changelog's tombstone); a snapshot's rows never are. */
  public static boolean isDeleted(Row row) {
    return row.getSchema().hasField(DELETED) && Boolean.TRUE.equals(row.getBoolean(DELETED));
  }

  /** The interactions' item type of a Songs ({@code song}) or Podcasts ({@code podcast}) row. */
  public static String itemType(Row row) {
    Schema schema = row.getSchema();
    if (schema.hasField("song_id")) {
      return "song";
    }
    if (schema.hasField("episode_id")) {
      return "podcast";
    }
    throw notAnItem(schema);
  }

  private static IllegalArgumentException notAnItem(Schema schema) {
    return new IllegalArgumentException("not an item product (songs or podcasts): fields "
        + schema.getFieldNames());
  }
}
