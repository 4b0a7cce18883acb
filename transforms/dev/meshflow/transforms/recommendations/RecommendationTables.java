package dev.meshflow.transforms.recommendations;

import java.util.List;
import org.apache.beam.sdk.schemas.Schema;

/**
 * The serving store's tables, one row per key, each versioned (the sinks' PaneVersion: an older
 * version never overwrites a newer one). Trending windows carry their pane, final when the window
 * closes. Running totals carry the run's launch second and how far the key has got
 * (StoreRows.runVersion), never final, so that a later run replaces an earlier run's rows (a
 * restart, a stream after a batch backfill, a backfill after a stream) and a job restored from a
 * checkpoint replaces what its lost attempt wrote.
 */
public final class RecommendationTables {
  public static final String CO_LISTENS = "rec_co_listens";
  public static final List<String> CO_LISTENS_KEY = List.of("item_id", "neighbour_id");
  public static final Schema CO_LISTENS_SCHEMA = versioned(Schema.builder()
      .addStringField("item_id")
      .addStringField("neighbour_id")
      .addInt64Field("co_count"));

  public static final String ITEM_PLAYS = "rec_item_plays";
  public static final List<String> ITEM_PLAYS_KEY = List.of("item_id");
  public static final Schema ITEM_PLAYS_SCHEMA = versioned(Schema.builder()
      .addStringField("item_id")
      .addStringField("item_type")
      .addInt64Field("plays"));

  /**
   * A user's latest plays (newest first) and skipped items, each a JSON array of item ids, and the
   * time of the latest play (null if the user only skipped).
   */
  public static final String USER_HISTORY = "rec_user_history";
  public static final List<String> USER_HISTORY_KEY = List.of("user_id");
  public static final Schema USER_HISTORY_SCHEMA = versioned(Schema.builder()
      .addStringField("user_id")
      .addStringField("recent_items")
      .addStringField("skipped_items")
      .addNullableField("latest_play", Schema.FieldType.DATETIME));

  public static final String TRENDING = "rec_trending";
  public static final List<String> TRENDING_KEY = List.of("window_start", "item_id");
  public static final Schema TRENDING_SCHEMA = versioned(Schema.builder()
      .addDateTimeField("window_start")
      .addStringField("item_id")
      .addStringField("item_type")
      .addInt64Field("plays"));

  /**
   * The items the Songs and Podcasts products publish, each at its latest version: a deleted item
   * stays as a row with {@code deleted} true, so that it is never recommended again.
   */
  public static final String ITEMS = "rec_items";
  public static final List<String> ITEMS_KEY = List.of("item_id");
  public static final Schema ITEMS_SCHEMA = versioned(Schema.builder()
      .addStringField("item_id")
      .addStringField("item_type")
      .addNullableField("creator", Schema.FieldType.STRING)
      .addNullableField("genre", Schema.FieldType.STRING)
      .addBooleanField("deleted"));

  /**
   * The users the Users product publishes, each at its latest version: the country a cold start
   * picks by (a user the model has not seen yet gets what listeners in their country play).
   */
  public static final String USERS = "rec_users";
  public static final List<String> USERS_KEY = List.of("user_id");
  public static final Schema USERS_SCHEMA = versioned(Schema.builder()
      .addStringField("user_id")
      .addNullableField("country", Schema.FieldType.STRING)
      .addNullableField("tier", Schema.FieldType.STRING)
      .addBooleanField("deleted"));

  /** What the model has learned from: the version the API names in each reply. */
  public static final String MODEL_STATE = "rec_model_state";
  public static final List<String> MODEL_STATE_KEY = List.of("model");
  public static final String MODEL = "co-listening";
  public static final Schema MODEL_STATE_SCHEMA = versioned(Schema.builder()
      .addStringField("model")
      .addInt64Field("events")
      .addDateTimeField("latest_event"));

  /**
   * Online evaluation: one row per list the API served (with --servedLists), judged once the
   * evaluation window after it has passed: whether the user played one of its items among their
   * next plays, and which place in the list that item had.
   */
  public static final String ONLINE_EVALUATION = "rec_online_evaluation";
  public static final List<String> ONLINE_EVALUATION_KEY = List.of("served_id");
  public static final Schema ONLINE_EVALUATION_SCHEMA = versioned(Schema.builder()
      .addStringField("served_id")
      .addStringField("user_id")
      .addDateTimeField("served_at")
      .addNullableField("item_type", Schema.FieldType.STRING)
      .addInt32Field("items")
      .addBooleanField("hit")
      .addNullableField("hit_rank", Schema.FieldType.INT32)
      .addInt32Field("plays_after"));

  private RecommendationTables() {}

  private static Schema versioned(Schema.Builder fields) {
    return fields.addInt64Field("pane_index").addBooleanField("is_final").build();
  }
}
