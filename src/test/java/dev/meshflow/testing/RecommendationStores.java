package dev.meshflow.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.meshflow.transforms.recommendations.RecommendationTables;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recommendations serving store's contents, table by table, without the rows' versions: what a
 * batch backfill and a streaming run of the same input must agree on.
 */
public final class RecommendationStores {
  private RecommendationStores() {}

  /** Each table's rows as text, in key order. */
  public static Map<String, List<String>> dump(Tables tables) throws Exception {
    Map<String, List<String>> out = new LinkedHashMap<>();
    out.put(RecommendationTables.CO_LISTENS, tables.dump("SELECT item_id, neighbour_id, co_count FROM "
        + RecommendationTables.CO_LISTENS + " ORDER BY 1, 2"));
    out.put(RecommendationTables.ITEM_PLAYS, tables.dump("SELECT item_id, item_type, plays FROM "
        + RecommendationTables.ITEM_PLAYS + " ORDER BY 1"));
    out.put(RecommendationTables.TRENDING, tables.dump("SELECT " + tables.epochMillis("window_start")
        + ", item_id, item_type, plays FROM " + RecommendationTables.TRENDING + " ORDER BY 1, 2"));
    out.put(RecommendationTables.USER_HISTORY, tables.dump("SELECT user_id, recent_items, skipped_items FROM "
        + RecommendationTables.USER_HISTORY + " ORDER BY 1"));
    out.put(RecommendationTables.MODEL_STATE, tables.dump("SELECT model, events, "
        + tables.epochMillis("latest_event") + " FROM " + RecommendationTables.MODEL_STATE));
    out.put("dead_letter", tables.dump("SELECT stage, reason FROM dead_letter ORDER BY 1, 2"));
    return out;
  }

  /** The same tables, each with rows, each row the same. */
  public static void assertSame(Map<String, List<String>> expected, Map<String, List<String>> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (Map.Entry<String, List<String>> table : expected.entrySet()) {
      assertFalse(table.getValue().isEmpty(), table.getKey() + " has rows");
      Diff.assertSameLines(table.getKey(), table.getValue(), actual.get(table.getKey()));
    }
  }
}
