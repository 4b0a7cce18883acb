package dev.meshflow.pipelines.recommendations.serving;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import dev.meshflow.transforms.recommendations.Scoring;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the recommender's tables ({@link RecommendationTables}) for one request, on a connection
 * the caller holds. Every value from a request is a bound parameter.
 */
final class RecommendationStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private RecommendationStore() {}

  /** How many events the model has learned from, and the latest event's time. */
  record Version(long events, Instant latestEvent) {}

  /** A user's recent plays, newest first, and skipped items. */
  record History(List<String> recent, Set<String> skipped) {}

  /** An item, its type and how often it was played (in all, or in a trending window). */
  record Played(String item, String type, long plays) {}

  /** The plays of one trending window. */
  record Trending(Instant windowStart, List<Played> items) {}

  static Version version(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT events, latest_event FROM "
        + RecommendationTables.MODEL_STATE + " WHERE model = ?")) {
      st.setString(1, RecommendationTables.MODEL);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? new Version(rs.getLong(1), instant(rs, 2)) : new Version(0, null);
      }
    }
  }

  /** The user's history, or null for a user the model has never seen. */
  static History history(Connection c, String user) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT recent_items, skipped_items FROM "
        + RecommendationTables.USER_HISTORY + " WHERE user_id = ?")) {
      st.setString(1, user);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new History(strings(rs.getString(1)), new LinkedHashSet<>(strings(rs.getString(2))));
      }
    }
  }

  /** Co-listening counts of each of {@code items}: item, then neighbour, then count. */
  static Map<String, Map<String, Long>> neighbours(Connection c, Collection<String> items) throws SQLException {
    Map<String, Map<String, Long>> out = new HashMap<>();
    if (items.isEmpty()) {
      return out;
    }
    try (PreparedStatement st = c.prepareStatement("SELECT item_id, neighbour_id, co_count FROM "
        + RecommendationTables.CO_LISTENS + " WHERE item_id IN (" + placeholders(items.size()) + ")")) {
      bind(st, items);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), i -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
        }
      }
    }
    return out;
  }

  /** The type and plays of each of {@code items} that was ever played. */
  static Map<String, Played> plays(Connection c, Collection<String> items) throws SQLException {
    Map<String, Played> out = new HashMap<>();
    if (items.isEmpty()) {
      return out;
    }
    try (PreparedStatement st = c.prepareStatement("SELECT item_id, item_type, plays FROM "
        + RecommendationTables.ITEM_PLAYS + " WHERE item_id IN (" + placeholders(items.size()) + ")")) {
      bind(st, items);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new Played(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
      }
    }
    return out;
  }

  /** The {@code limit} most played items of {@code type} (any if null), best first. */
  static List<Scoring.Scored> popular(Connection c, int limit, String type) throws SQLException {
    String sql = "SELECT item_id, item_type, plays FROM " + RecommendationTables.ITEM_PLAYS
        + (type == null ? "" : " WHERE item_type = ?") + " ORDER BY plays DESC, item_id LIMIT ?";
    try (PreparedStatement st = c.prepareStatement(sql)) {
      int i = 1;
      if (type != null) {
        st.setString(i++, type);
      }
      st.setInt(i, limit);
      List<Scoring.Scored> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(new Scoring.Scored(rs.getString(1), rs.getString(2), rs.getLong(3), Scoring.POPULAR));
        }
      }
      return out;
    }
  }

  /**
   * The {@code n} most played items of {@code type} (any if null) in the latest trending window
   * that has plays of that type; null window if none.
   */
  static Trending trending(Connection c, int n, String type) throws SQLException {
    String filter = type == null ? "" : " WHERE item_type = ?";
    String sql = "SELECT window_start, item_id, item_type, plays FROM " + RecommendationTables.TRENDING
        + " WHERE window_start = (SELECT max(window_start) FROM " + RecommendationTables.TRENDING + filter + ")"
        + (type == null ? "" : " AND item_type = ?") + " ORDER BY plays DESC, item_id LIMIT ?";
    try (PreparedStatement st = c.prepareStatement(sql)) {
      int i = 1;
      if (type != null) {
        st.setString(i++, type);
        st.setString(i++, type);
      }
      st.setInt(i, n);
      Instant window = null;
      List<Played> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          window = instant(rs, 1);
          out.add(new Played(rs.getString(2), rs.getString(3), rs.getLong(4)));
        }
      }
      return new Trending(window, out);
    }
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private static void bind(PreparedStatement st, Collection<String> values) throws SQLException {
    int i = 1;
    for (String v : values) {
      st.setString(i++, v);
    }
  }

  /** The sinks write timestamps as UTC without a zone, whatever this JVM's zone is. */
  private static Instant instant(ResultSet rs, int column) throws SQLException {
    java.time.LocalDateTime t = rs.getObject(column, java.time.LocalDateTime.class);
    return t == null ? null : t.toInstant(java.time.ZoneOffset.UTC);
  }

  private static List<String> strings(String json) throws SQLException {
    try {
      return json == null ? List.of() : JSON.readValue(json, STRINGS);
    } catch (IOException e) {
      throw new SQLException("a user history in the store is not a JSON list of item ids", e);
    }
  }
}
