package dev.meshflow.pipelines.recommendations.serving;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshflow.transforms.recommendations.CatalogItem;
import dev.meshflow.transforms.recommendations.ListedUser;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import dev.meshflow.transforms.recommendations.RecommenderRules;
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

  /** An item of a trending window: its plays there, and its genre if the item products give one. */
  record TrendingItem(String item, String type, long plays, String genre) {}

  /** The plays of one trending window. */
  record Trending(Instant windowStart, List<TrendingItem> items) {}

  /**
   * Whether the store holds the item products' items: then only the items they list, and have not
   * deleted, are recommended.
   */
  static boolean catalogued(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT EXISTS (SELECT 1 FROM " + RecommendationTables.ITEMS + ")");
        ResultSet rs = st.executeQuery()) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /** The items the item products have deleted: few, and read whole so that a deletion shows at once. */
  static Set<String> deletedItems(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT item_id FROM " + RecommendationTables.ITEMS
        + " WHERE deleted"); ResultSet rs = st.executeQuery()) {
      Set<String> out = new java.util.HashSet<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  /** The item products' latest version of each of {@code items} they list. */
  static Map<String, CatalogItem> items(Connection c, Collection<String> items) throws SQLException {
    Map<String, CatalogItem> out = new HashMap<>();
    if (items.isEmpty()) {
      return out;
    }
    try (PreparedStatement st = c.prepareStatement("SELECT item_id, item_type, creator, genre, deleted FROM "
        + RecommendationTables.ITEMS + " WHERE item_id IN (" + placeholders(items.size()) + ")")) {
      bind(st, items);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new CatalogItem(rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getString(4), rs.getBoolean(5)));
        }
      }
    }
    return out;
  }

  /** The Users product's latest version of {@code user}, or null if it does not list them. */
  static ListedUser listedUser(Connection c, String user) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT country, tier, deleted FROM " + RecommendationTables.USERS
        + " WHERE user_id = ?")) {
      st.setString(1, user);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? new ListedUser(user, rs.getString(1), rs.getString(2), rs.getBoolean(3)) : null;
      }
    }
  }

  /**
   * The recent plays of {@code country}'s {@link RecommenderRules#COUNTRY_LISTENERS} latest
   * listeners (by their latest play, then user id), each newest first.
   */
  static List<List<String>> countryListeners(Connection c, String country) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT h.recent_items FROM " + RecommendationTables.USER_HISTORY
        + " h JOIN " + RecommendationTables.USERS + " u ON u.user_id = h.user_id"
        + " WHERE u.country = ? AND NOT u.deleted AND h.latest_play IS NOT NULL"
        + " ORDER BY h.latest_play DESC, h.user_id LIMIT ?")) {
      st.setString(1, country);
      st.setInt(2, RecommenderRules.COUNTRY_LISTENERS);
      List<List<String>> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(strings(rs.getString(1)));
        }
      }
      return out;
    }
  }

  /** {@link Scoring#alike} in SQL: the same items, in the same order, with the same reasons. */
  static List<Scoring.Scored> alike(Connection c, CatalogItem of, String type, int limit) throws SQLException {
    if (of == null || (type != null && !type.equals(of.type()))) {
      return List.of();
    }
    String sql = "SELECT i.item_id, i.item_type, CASE WHEN i.creator = ? THEN 0 ELSE 1 END AS content_rank"
        + " FROM " + RecommendationTables.ITEMS + " i LEFT JOIN " + RecommendationTables.ITEM_PLAYS
        + " p ON p.item_id = i.item_id"
        + " WHERE NOT i.deleted AND i.item_id <> ? AND i.item_type = ? AND (i.creator = ? OR i.genre = ?)"
        + " ORDER BY content_rank, coalesce(p.plays, 0) DESC, i.item_id LIMIT ?";
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setString(1, of.creator());
      st.setString(2, of.item());
      st.setString(3, of.type());
      st.setString(4, of.creator());
      st.setString(5, of.genre());
      st.setInt(6, limit);
      List<Scoring.Scored> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(new Scoring.Scored(rs.getString(1), rs.getString(2), 0,
              rs.getInt(3) == 0 ? of.sameCreator() : of.sameGenre()));
        }
      }
      return out;
    }
  }

  /** Only items the item products list and have not deleted, once the store holds them. */
  private static String availableOnly(String itemColumn) {
    return "(NOT EXISTS (SELECT 1 FROM " + RecommendationTables.ITEMS + ") OR " + itemColumn
        + " IN (SELECT item_id FROM " + RecommendationTables.ITEMS + " WHERE NOT deleted))";
  }

  static Version version(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT events, latest_event FROM "
        + RecommendationTables.MODEL_STATE + " WHERE model = ?")) {
      st.setString(1, RecommendationTables.MODEL);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? new Version(rs.getLong(1), instant(rs, 2)) : new Version(0, null);
      }
    }
  }

  /**
   * The model's version and the user's history (null for a user the model has never seen) in one
   * round trip: the two reads every list needs, at hundreds of lists a second.
   */
  record VersionAndHistory(Version version, History history) {}

  static VersionAndHistory versionAndHistory(Connection c, String user) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT m.events, m.latest_event, h.user_id, h.recent_items,"
        + " h.skipped_items FROM (SELECT 1 AS one) o"
        + " LEFT JOIN " + RecommendationTables.MODEL_STATE + " m ON m.model = ?"
        + " LEFT JOIN " + RecommendationTables.USER_HISTORY + " h ON h.user_id = ?")) {
      st.setString(1, RecommendationTables.MODEL);
      st.setString(2, user);
      try (ResultSet rs = st.executeQuery()) {
        rs.next(); // always one row: the joins are outer
        Version version = rs.getObject(1) == null ? new Version(0, null) : new Version(rs.getLong(1), instant(rs, 2));
        History history = rs.getString(3) == null ? null
            : new History(strings(rs.getString(4)), new LinkedHashSet<>(strings(rs.getString(5))));
        return new VersionAndHistory(version, history);
      }
    }
  }

  /**
   * What ranking reads about some seeds: each seed's co-listening counts (neighbour to count), and
   * the plays and item-product versions of the seeds and their neighbours, one entry per item
   * however many seeds name it.
   */
  record Neighbourhoods(Map<String, Map<String, Long>> neighbours, Map<String, Played> plays,
      Map<String, CatalogItem> catalog) {}

  /**
   * {@code seeds}' neighbourhoods: the neighbours, their plays and their versions in one joined
   * query (4.9 ms against 11.4 ms for a second query binding every neighbour's id, on the
   * benchmark's DuckDB file: about 1,100 neighbours), the seeds' own in two more. A seed nobody
   * co-listened with gets an empty neighbourhood.
   */
  static Neighbourhoods neighbourhoods(Connection c, Collection<String> seeds) throws SQLException {
    Map<String, Map<String, Long>> neighbours = new HashMap<>();
    Map<String, Played> plays = new HashMap<>();
    Map<String, CatalogItem> catalog = new HashMap<>();
    if (seeds.isEmpty()) {
      return new Neighbourhoods(neighbours, plays, catalog);
    }
    for (String seed : seeds) {
      neighbours.put(seed, new HashMap<>());
    }
    try (PreparedStatement st = c.prepareStatement("SELECT n.item_id, n.neighbour_id, n.co_count, p.item_type,"
        + " p.plays, i.item_type, i.creator, i.genre, i.deleted FROM " + RecommendationTables.CO_LISTENS + " n"
        + " LEFT JOIN " + RecommendationTables.ITEM_PLAYS + " p ON p.item_id = n.neighbour_id"
        + " LEFT JOIN " + RecommendationTables.ITEMS + " i ON i.item_id = n.neighbour_id"
        + " WHERE n.item_id IN (" + placeholders(seeds.size()) + ")")) {
      bind(st, seeds);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String neighbour = rs.getString(2);
          neighbours.get(rs.getString(1)).put(neighbour, rs.getLong(3));
          // One query sees one version of each item: a neighbour of several seeds is read once.
          if (!plays.containsKey(neighbour) && rs.getString(4) != null) {
            plays.put(neighbour, new Played(neighbour, rs.getString(4), rs.getLong(5)));
          }
          if (!catalog.containsKey(neighbour) && rs.getString(6) != null) {
            catalog.put(neighbour, new CatalogItem(neighbour, rs.getString(6), rs.getString(7),
                rs.getString(8), rs.getBoolean(9)));
          }
        }
      }
    }
    plays.putAll(plays(c, seeds));
    catalog.putAll(items(c, seeds));
    return new Neighbourhoods(neighbours, plays, catalog);
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

  /** The {@code limit} most played available items of {@code type} (any if null), best first. */
  static List<Scoring.Scored> popular(Connection c, int limit, String type) throws SQLException {
    String sql = "SELECT item_id, item_type, plays FROM " + RecommendationTables.ITEM_PLAYS
        + " WHERE " + availableOnly("item_id") + (type == null ? "" : " AND item_type = ?")
        + " ORDER BY plays DESC, item_id LIMIT ?";
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
   * The {@code n} most played available items of {@code type} and {@code genre} (any if null) in
   * the latest trending window that has such plays; null window if none.
   */
  static Trending trending(Connection c, int n, String type, String genre) throws SQLException {
    String from = " FROM " + RecommendationTables.TRENDING + " t LEFT JOIN " + RecommendationTables.ITEMS
        + " i ON i.item_id = t.item_id WHERE " + availableOnly("t.item_id")
        + (type == null ? "" : " AND t.item_type = ?") + (genre == null ? "" : " AND i.genre = ?");
    String sql = "SELECT t.window_start, t.item_id, t.item_type, t.plays, i.genre" + from
        + " AND t.window_start = (SELECT max(t.window_start)" + from + ")"
        + " ORDER BY t.plays DESC, t.item_id LIMIT ?";
    try (PreparedStatement st = c.prepareStatement(sql)) {
      int i = 1;
      for (int copy = 0; copy < 2; copy++) {
        if (type != null) {
          st.setString(i++, type);
        }
        if (genre != null) {
          st.setString(i++, genre);
        }
      }
      st.setInt(i, n);
      Instant window = null;
      List<TrendingItem> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          window = instant(rs, 1);
          out.add(new TrendingItem(rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5)));
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
