package dev.meshflow.pipelines.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshflow.transforms.interactions.ItemMinuteStats;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Interaction trends from {@code item_minute_stats}: plays, skips, likes and playlist adds per
 * minute over the last hour of data, the top items of its last five minutes against the same five
 * minutes an hour before, and the skip rate by genre where the warehouse has the item products'
 * genres ({@code rec_items}). "Now" is the newest minute in the table, not the wall clock, so a
 * replay of last week's events shows last week's hour.
 */
final class TrendsPanel {
  static final String TABLE = ItemMinuteStats.TABLE;
  static final int MINUTES = 60;
  static final int TOP_SPAN_MINUTES = 5;
  static final int TOP_ITEMS = 10;

  /** The last hour of the table, as a subquery every query here filters on. */
  private static final String LAST_HOUR = "window_start > (SELECT max(window_start) FROM " + TABLE + ") - INTERVAL '"
      + MINUTES + " minutes'";

  private TrendsPanel() {}

  static ObjectNode read(Connection c) throws SQLException {
    if (!PanelSql.exists(c, TABLE)) {
      return PanelSql.missing(TABLE, "./meshflow interaction-analytics");
    }
    ObjectNode panel = PanelSql.JSON.createObjectNode();
    panel.set("minutes", PanelSql.rows(c, "SELECT window_start AS minute, sum(plays) AS plays, sum(skips) AS skips,"
        + " sum(likes) AS likes, sum(playlist_adds) AS playlist_adds FROM " + TABLE + " WHERE " + LAST_HOUR
        + " GROUP BY window_start ORDER BY window_start"));
    panel.set("totals", PanelSql.rows(c, "SELECT coalesce(sum(plays), 0) AS plays, coalesce(sum(skips), 0) AS skips,"
        + " coalesce(sum(likes), 0) AS likes, coalesce(sum(playlist_adds), 0) AS playlist_adds, count(DISTINCT item_id)"
        + " AS items, max(window_start) AS latest_minute FROM " + TABLE + " WHERE " + LAST_HOUR).get(0));
    String latest = "(SELECT max(window_start) FROM " + TABLE + ")";
    String now = "window_start > " + latest + " - INTERVAL '" + TOP_SPAN_MINUTES + " minutes'";
    String hourAgo = "window_start <= " + latest + " - INTERVAL '" + MINUTES + " minutes' AND window_start > " + latest
        + " - INTERVAL '" + (MINUTES + TOP_SPAN_MINUTES) + " minutes'";
    panel.set("top", PanelSql.rows(c, "SELECT item_id, item_type, sum(CASE WHEN " + now + " THEN plays ELSE 0 END) AS plays_now,"
        + " sum(CASE WHEN " + hourAgo + " THEN plays ELSE 0 END) AS plays_hour_ago FROM " + TABLE
        + " WHERE window_start > " + latest + " - INTERVAL '" + (MINUTES + TOP_SPAN_MINUTES) + " minutes'"
        + " GROUP BY item_id, item_type HAVING sum(CASE WHEN " + now + " THEN plays ELSE 0 END) > 0"
        + " ORDER BY plays_now DESC, item_id LIMIT " + TOP_ITEMS));
    panel.set("skipRateByGenre", PanelSql.rowsOrMissing(c, RecommendationTables.ITEMS,
        "./meshflow recommendations (reading the Songs and Podcasts products)", "SELECT i.genre, sum(s.plays) AS plays,"
            + " sum(s.skips) AS skips FROM " + TABLE + " s JOIN " + RecommendationTables.ITEMS + " i ON i.item_id = s.item_id"
            + " WHERE s." + LAST_HOUR + " AND i.genre IS NOT NULL GROUP BY i.genre ORDER BY i.genre"));
    return panel;
  }
}
