package dev.meshflow.transforms.interactions;

import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/** One row of {@code item_minute_stats}: an item's activity in one event-time window. */
public final class ItemMinuteStats implements Comparable<ItemMinuteStats> {
  public static final String TABLE = "item_minute_stats";
  public static final List<String> KEY = List.of("window_start", "item_id");

  public static final Schema SCHEMA =
      Schema.builder()
          .addDateTimeField("window_start")
          .addDateTimeField("window_end")
          .addStringField("item_id")
          .addStringField("item_type")
          .addInt64Field("plays")
          .addInt64Field("skips")
          .addInt64Field("likes")
          .addInt64Field("playlist_adds")
          .addInt64Field("unique_users")
          .build();

  /**
   * The table's schema: the statistics plus the pane that produced them. Sinks treat rows with
   * {@code pane_index} and {@code is_final} as versioned (io's PaneVersion): an older firing never
   * overwrites a newer one, even when writers see the panes out of order.
   */
  public static final Schema TABLE_SCHEMA =
      Schema.builder()
          .addFields(SCHEMA.getFields())
          .addInt64Field("pane_index")
          .addBooleanField("is_final")
          .build();

  /** The table row for these statistics as fired in {@code pane}. */
  public Row toTableRow(org.apache.beam.sdk.transforms.windowing.PaneInfo pane) {
    return Row.withSchema(TABLE_SCHEMA)
        .addValues(toRow().getValues())
        .addValues(pane.getIndex(), pane.isLast())
        .build();
  }

  /** Encodes through the row schema, so the coder and the table can never disagree. */
  public static org.apache.beam.sdk.coders.Coder<ItemMinuteStats> coder() {
    return org.apache.beam.sdk.coders.DelegateCoder.of(
        org.apache.beam.sdk.coders.RowCoder.of(SCHEMA), ItemMinuteStats::toRow,
        ItemMinuteStats::fromRow);
  }

  public final long windowStartMillis;
  public final long windowEndMillis;
  public final String itemId;
  public final String itemType;
  public final long plays;
  public final long skips;
  public final long likes;
  public final long playlistAdds;
  public final long uniqueUsers;

  public ItemMinuteStats(
      long windowStartMillis, long windowEndMillis, String itemId, String itemType, long plays,
      long skips, long likes, long playlistAdds, long uniqueUsers) {
    this.windowStartMillis = windowStartMillis;
    this.windowEndMillis = windowEndMillis;
    this.itemId = itemId;
    this.itemType = itemType;
    this.plays = plays;
    this.skips = skips;
    this.likes = likes;
    this.playlistAdds = playlistAdds;
    this.uniqueUsers = uniqueUsers;
  }

  public long events() {
    return plays + skips + likes + playlistAdds;
  }

  public Row toRow() {
    return Row.withSchema(SCHEMA)
        .addValues(new Instant(windowStartMillis), new Instant(windowEndMillis), itemId, itemType,
            plays, skips, likes, playlistAdds, uniqueUsers)
        .build();
  }

  public static ItemMinuteStats fromRow(Row row) {
    return new ItemMinuteStats(
        row.getDateTime("window_start").getMillis(), row.getDateTime("window_end").getMillis(),
        row.getString("item_id"), row.getString("item_type"), row.getInt64("plays"),
        row.getInt64("skips"), row.getInt64("likes"), row.getInt64("playlist_adds"),
        row.getInt64("unique_users"));
  }

  @Override
  public int compareTo(ItemMinuteStats o) {
    int c = Long.compare(windowStartMillis, o.windowStartMillis);
    return c != 0 ? c : itemId.compareTo(o.itemId);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ItemMinuteStats)) {
      return false;
    }
    ItemMinuteStats s = (ItemMinuteStats) o;
    return windowStartMillis == s.windowStartMillis && windowEndMillis == s.windowEndMillis
        && itemId.equals(s.itemId) && itemType.equals(s.itemType) && plays == s.plays
        && skips == s.skips && likes == s.likes && playlistAdds == s.playlistAdds
        && uniqueUsers == s.uniqueUsers;
  }

  @Override
  public int hashCode() {
    return Objects.hash(windowStartMillis, itemId, plays, skips, likes, playlistAdds, uniqueUsers);
  }

  @Override
  public String toString() {
    return java.time.Instant.ofEpochMilli(windowStartMillis) + " " + itemId + " (" + itemType
        + ") plays=" + plays + " skips=" + skips + " likes=" + likes + " playlist_adds="
        + playlistAdds + " unique_users=" + uniqueUsers;
  }
}
