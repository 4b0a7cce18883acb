package dev.meshflow.pipelines.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshflow.core.DeadLetter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Dead letters by stage and kind of reason, and a few payloads of one stage and kind on request
 * (the drill-down). A reason names its record ("event time 2026-… is beyond the allowed lateness:
 * its window closed for good at …"), so grouping by the reason itself gave one row per late event;
 * the kind is the reason without its times and numbers, up to its first colon. Payloads are data:
 * the page shows them as text, never as markup.
 */
final class DeadLettersPanel {
  static final String TABLE = DeadLetter.TABLE;
  static final int GROUPS = 20;
  static final int SAMPLES = 5;
  /** Distinct reasons read per snapshot, and dead letters a drill-down looks through: bounds, not expectations. */
  static final int MAX_REASONS = 100_000;
  static final int MAX_SCANNED = 20_000;
  /** A sample's payload is cut here: the page shows what failed, not a whole file. */
  static final int SAMPLE_CHARS = 2_000;

  private static final Pattern TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[T ][0-9:.]+Z?");
  private static final Pattern NUMBER = Pattern.compile("\\d+");

  private DeadLettersPanel() {}

  /** What a reason says without the record it names: times and numbers out, up to the first colon. */
  static String kind(String reason) {
    String k = NUMBER.matcher(TIME.matcher(reason == null ? "" : reason).replaceAll("…")).replaceAll("…");
    int colon = k.indexOf(':');
    return (colon > 0 ? k.substring(0, colon) : k).trim();
  }

  static ObjectNode read(Connection c) throws SQLException {
    if (!PanelSql.exists(c, TABLE)) {
      return PanelSql.missing(TABLE, "every pipeline");
    }
    ObjectNode panel = PanelSql.JSON.createObjectNode();
    panel.put("total", PanelSql.count(c, TABLE));
    Map<String, ObjectNode> groups = new LinkedHashMap<>();
    for (JsonNode r : PanelSql.rows(c, "SELECT stage, reason, count(*) AS n, max(failed_at) AS latest FROM " + TABLE
        + " GROUP BY stage, reason ORDER BY n DESC, stage, reason LIMIT " + MAX_REASONS)) {
      String stage = r.path("stage").asText();
      String kind = kind(r.path("reason").asText());
      ObjectNode g = groups.computeIfAbsent(stage + "\n" + kind, k -> PanelSql.JSON.createObjectNode()
          .put("stage", stage).put("kind", kind).put("dead_letters", 0L).put("example", r.path("reason").asText()));
      g.put("dead_letters", g.path("dead_letters").asLong() + r.path("n").asLong());
      String latest = r.path("latest").asText(null);
      if (latest != null && (g.path("latest").isMissingNode() || latest.compareTo(g.path("latest").asText()) > 0)) {
        g.put("latest", latest);
      }
    }
    List<ObjectNode> sorted = new ArrayList<>(groups.values());
    sorted.sort(Comparator.<ObjectNode>comparingLong(g -> -g.path("dead_letters").asLong())
        .thenComparing(g -> g.path("stage").asText()).thenComparing(g -> g.path("kind").asText()));
    ArrayNode top = panel.putArray("groups");
    sorted.stream().limit(GROUPS).forEach(top::add);
    panel.put("kinds", sorted.size());
    return panel;
  }

  /** The latest {@link #SAMPLES} dead letters of {@code stage} whose reason is of {@code kind}, payload as text. */
  static ArrayNode samples(Connection c, String stage, String kind) throws SQLException {
    ArrayNode out = PanelSql.JSON.createArrayNode();
    if (!PanelSql.exists(c, TABLE)) {
      return out;
    }
    for (JsonNode row : PanelSql.rows(c, "SELECT id, reason, origin, payload_text, event_ts, failed_at FROM " + TABLE
        + " WHERE stage = ? ORDER BY failed_at DESC, id LIMIT " + MAX_SCANNED, List.of(stage))) {
      if (out.size() == SAMPLES) {
        break;
      }
      if (kind(row.path("reason").asText()).equals(kind)) {
        String text = row.path("payload_text").asText("");
        if (text.length() > SAMPLE_CHARS) {
          ((ObjectNode) row).put("payload_text", text.substring(0, SAMPLE_CHARS) + "…");
        }
        out.add(row);
      }
    }
    return out;
  }
}
