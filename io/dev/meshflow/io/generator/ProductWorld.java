package dev.meshflow.io.generator;

import dev.meshflow.io.mesh.consumer.MeshProduct;
import dev.meshflow.io.mesh.consumer.ProductSnapshot;
import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The Users, Songs and Podcasts products as the interaction generator draws from them
 * ({@code mesh=1}): every user and item that exists, with each user's cohort (the position of its
 * tier in the contract's allowed values) and each song's genre (likewise). Read once, when the
 * source is opened, from each domain's table, so the records are a pure function of the seed and
 * this snapshot. Ids keep the simulator's forms ({@code user-N}, {@code song-NNNN},
 * {@code podcast-NNNN}); users and items are ordered by number, so popularity stays skewed to low
 * numbers as in the id-based mode.
 */
public final class ProductWorld implements Serializable {
  private static final long serialVersionUID = 1L;

  final int[] users;
  final int[] cohorts;
  /** Songs first, then podcasts. */
  final int[] items;
  final int songs;
  /** Per song, its genre; podcasts have none. */
  final int[] genres;

  private ProductWorld(int[] users, int[] cohorts, int[] items, int songs, int[] genres) {
    this.users = users;
    this.cohorts = cohorts;
    this.items = items;
    this.songs = songs;
    this.genres = genres;
  }

  /**
   * Reads the products through the catalog in {@code catalogDir}, from their postgres ports or
   * from {@code db} (null: the ports' own); one line names what is missing.
   */
  public static ProductWorld read(String catalogDir, String db) {
    String params = "?catalog=" + URLEncoder.encode(catalogDir, StandardCharsets.UTF_8)
        + (db == null ? "" : "&db=" + URLEncoder.encode(db, StandardCharsets.UTF_8));
    MeshProduct users = MeshProduct.resolve("listens", "mesh://users" + params);
    MeshProduct songs = MeshProduct.resolve("listens", "mesh://songs" + params);
    MeshProduct podcasts = MeshProduct.resolve("listens", "mesh://podcasts" + params);
    List<int[]> u = rows(users, "tier", allowed(users, "tier"));
    List<int[]> s = rows(songs, "genre", allowed(songs, "genre"));
    List<int[]> p = rows(podcasts, null, List.of());
    if (u.isEmpty() || s.isEmpty() && p.isEmpty()) {
      throw new IllegalArgumentException("mesh=1: the Users, Songs and Podcasts tables hold " + u.size()
          + " users and " + (s.size() + p.size()) + " items; create them first: ./meshflow produce");
    }
    int[] items = new int[s.size() + p.size()];
    int[] genres = new int[s.size()];
    for (int i = 0; i < s.size(); i++) {
      items[i] = s.get(i)[0];
      genres[i] = s.get(i)[1];
    }
    for (int i = 0; i < p.size(); i++) {
      items[s.size() + i] = p.get(i)[0];
    }
    return new ProductWorld(u.stream().mapToInt(r -> r[0]).toArray(), u.stream().mapToInt(r -> r[1]).toArray(),
        items, s.size(), genres);
  }

  int userCount() {
    return users.length;
  }

  int itemCount() {
    return items.length;
  }

  private static List<String> allowed(MeshProduct product, String field) {
    return product.field(field)
        .orElseThrow(() -> new IllegalArgumentException("mesh=1: mesh://" + product.name() + " has no "
            + field + " field"))
        .allowedValues();
  }

  /** Each row's id number and its category's position (-1 without one), ordered by id number. */
  private static List<int[]> rows(MeshProduct product, String field, List<String> values) {
    String sql = "SELECT " + ProductSnapshot.plainName(product.keyField())
        + (field == null ? "" : ", " + ProductSnapshot.plainName(field))
        + " FROM " + ProductSnapshot.plainName(product.table());
    Properties login = new Properties();
    String password = System.getenv("PGPASSWORD");
    if (password != null) {
      login.setProperty("password", password);
    }
    List<int[]> out = new ArrayList<>();
    try (Connection c = dev.meshflow.io.postgres.PostgresConnections.open(product.jdbcUrl(), login);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String id = rs.getString(1);
        out.add(new int[] {number(product, id), field == null ? -1 : values.indexOf(rs.getString(2))});
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException("mesh=1: cannot read mesh://" + product.name() + " from "
          + product.table() + " (" + e.getMessage().split("\n")[0] + "); start PostgreSQL and create"
          + " the domains: ./meshflow produce", e);
    }
    out.sort((a, b) -> Integer.compare(a[0], b[0]));
    return out;
  }

  private static int number(MeshProduct product, String id) {
    int dash = id.lastIndexOf('-');
    try {
      return Integer.parseInt(id.substring(dash + 1));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("mesh=1: mesh://" + product.name() + " holds id '" + id
          + "'; the generator draws ids of the form name-NUMBER");
    }
  }

  @Override
  public String toString() {
    return users.length + " users, " + songs + " songs, " + (items.length - songs) + " podcasts, genres "
        + Arrays.toString(Arrays.copyOf(genres, Math.min(genres.length, 8))) + "...";
  }
}
