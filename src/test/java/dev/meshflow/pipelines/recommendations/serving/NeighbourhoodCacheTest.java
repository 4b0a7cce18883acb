package dev.meshflow.pipelines.recommendations.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.sql.ReadOnlyConnections;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The API's kept neighbourhoods over a real PostgreSQL store: a seed is read by the request that
 * first wants it; past the age it is answered from what was kept while the cache's own thread reads
 * it again; only one far too old is read by a request again.
 */
public class NeighbourhoodCacheTest {
  @Test
  public void staleNeighbourhoodsAreServedWhileTheRefresherReadsThemAgain() throws Exception {
    String db = store("neighbourhood_cache", "('a', 'b', 1)", "('a', 'song', 5), ('b', 'song', 3)");
    long ageMillis = 1_000;
    long staleMillis = 3_000;
    try (ReadOnlyConnections connections = new ReadOnlyConnections(Endpoints.sink(Postgres.sinkUri(db)), 2);
        NeighbourhoodCache cache = new NeighbourhoodCache(ageMillis, staleMillis, connections)) {
      long kept = System.nanoTime(); // no later than the cache's own time for it
      assertEquals(1L, coCount(cache, connections), "the first request reads it");
      assertEquals(List.of(1L, 1L, 0L), counts(cache).subList(0, 3), "kept, read by requests, refreshed");

      setCoCount(db, 2);
      assertEquals(1L, coCount(cache, connections), "within the age: as kept");
      Await.until("the kept neighbourhood to pass its age", Duration.ofSeconds(5),
          () -> System.nanoTime() - kept > (ageMillis + 50) * 1_000_000L, past -> past);
      assertEquals(1L, coCount(cache, connections), "past the age: answered as kept, and queued");
      Await.until("the refresher to read it again", Duration.ofSeconds(10),
          () -> coCount(cache, connections), n -> n == 2L);
      assertEquals(1L, counts(cache).get(1), "no request read it again");
      assertEquals(true, counts(cache).get(2) >= 1, "the refresher did: " + counts(cache));

      // Left alone past the stale limit, it is read by the next request itself.
      long refreshed = System.nanoTime(); // after the refresher's read
      setCoCount(db, 3);
      Await.until("the neighbourhood to be far too old", Duration.ofSeconds(30),
          () -> System.nanoTime() - refreshed > (staleMillis + 100) * 1_000_000L, old -> old);
      assertEquals(3L, coCount(cache, connections), "far too old: read by the request");
      assertEquals(2L, counts(cache).get(1), "read by requests: " + counts(cache));
    }
  }

  /**
   * A refresh that finds a neighbourhood unchanged keeps the very objects it kept (so the collector
   * has nothing new to copy), and one that finds it changed keeps the new counts.
   */
  @Test
  public void anUnchangedRefreshKeepsTheSameObjects() throws Exception {
    String db = store("neighbourhood_same", "('a', 'b', 1), ('a', 'c', 4), ('d', 'b', 2)",
        "('a', 'song', 5), ('b', 'song', 3), ('c', 'song', 7), ('d', 'podcast', 1)");
    try (ReadOnlyConnections connections = new ReadOnlyConnections(Endpoints.sink(Postgres.sinkUri(db)), 2);
        NeighbourhoodCache cache = new NeighbourhoodCache(200, 60_000, connections)) {
      RecommendationStore.Neighbourhoods first = connections.with(c -> cache.get(c, Set.of("a", "d")));
      assertEquals(Map.of("b", 1L, "c", 4L), first.neighbours().get("a"));
      assertEquals(Map.of("b", 2L), first.neighbours().get("d"));
      assertEquals(3L, first.plays().get("b").plays(), "one entry for b, a neighbour of both seeds");

      Await.until("a refresh of both seeds", Duration.ofSeconds(10), () -> {
        connections.with(c -> cache.get(c, Set.of("a", "d"))); // past the age: queued
        return counts(cache).get(2);
      }, refreshed -> refreshed >= 2);
      RecommendationStore.Neighbourhoods again = connections.with(c -> cache.get(c, Set.of("a", "d")));
      assertSame(first.neighbours().get("a"), again.neighbours().get("a"), "unchanged counts: the same object");
      assertSame(first.plays().get("b"), again.plays().get("b"), "unchanged plays: the same object");

      setCoCount(db, 9);
      Await.until("the refresher to read the new counts", Duration.ofSeconds(10),
          () -> connections.with(c -> cache.get(c, Set.of("a"))).neighbours().get("a"),
          counts -> counts.equals(Map.of("b", 9L, "c", 9L)));
    }
  }

  /**
   * A deletion shows within the age, whatever the kept neighbourhoods' age: the deleted items are
   * one short read, kept no longer than the age.
   */
  @Test
  public void deletedItemsAreReadAgainOnceOlderThanTheAge() throws Exception {
    String db = Postgres.newDatabase("neighbourhood_deleted");
    try (Connection c = Postgres.connect(db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + RecommendationTables.ITEMS
          + " (item_id TEXT, item_type TEXT, creator TEXT, genre TEXT, deleted BOOLEAN)");
      st.execute("INSERT INTO " + RecommendationTables.ITEMS + " VALUES ('a', 'song', 'x', 'jazz', FALSE),"
          + " ('b', 'song', 'x', 'jazz', FALSE), ('c', 'song', 'y', 'rock', TRUE)");
    }
    long ageMillis = 500;
    try (ReadOnlyConnections connections = new ReadOnlyConnections(Endpoints.sink(Postgres.sinkUri(db)), 2);
        NeighbourhoodCache cache = new NeighbourhoodCache(ageMillis, connections)) {
      long read = System.nanoTime();
      assertEquals(Set.of("c"), connections.with(cache::deleted));
      try (Connection c = Postgres.connect(db);
          java.sql.PreparedStatement st = c.prepareStatement("UPDATE " + RecommendationTables.ITEMS
              + " SET deleted = TRUE WHERE item_id = ?")) {
        st.setString(1, "b");
        st.executeUpdate();
      }
      if (System.nanoTime() - read < ageMillis * 1_000_000L) {
        assertEquals(Set.of("c"), connections.with(cache::deleted), "within the age: as kept");
      }
      Await.until("the deletion within the age", Duration.ofSeconds(5), () -> connections.with(cache::deleted),
          deleted -> deleted.equals(Set.of("b", "c")));
      assertEquals(true, System.nanoTime() - read < 5 * ageMillis * 1_000_000L, "about the age, not the stale limit");
    }
    try (ReadOnlyConnections connections = new ReadOnlyConnections(Endpoints.sink(Postgres.sinkUri(db)), 1);
        NeighbourhoodCache none = new NeighbourhoodCache(0, connections)) {
      assertEquals(Set.of(), connections.with(none::deleted), "nothing kept: the neighbourhoods are read per request");
    }
  }

  /** A new database with the three tables a neighbourhood reads, and these co-listening and play rows (SQL values). */
  private static String store(String name, String coListens, String plays) throws Exception {
    String db = Postgres.newDatabase(name);
    try (Connection c = Postgres.connect(db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + RecommendationTables.CO_LISTENS + " (item_id TEXT, neighbour_id TEXT, co_count BIGINT)");
      st.execute("CREATE TABLE " + RecommendationTables.ITEM_PLAYS + " (item_id TEXT, item_type TEXT, plays BIGINT)");
      st.execute("CREATE TABLE " + RecommendationTables.ITEMS
          + " (item_id TEXT, item_type TEXT, creator TEXT, genre TEXT, deleted BOOLEAN)");
      st.execute("INSERT INTO " + RecommendationTables.CO_LISTENS + " VALUES " + coListens);
      st.execute("INSERT INTO " + RecommendationTables.ITEM_PLAYS + " VALUES " + plays);
    }
    return db;
  }

  private static long coCount(NeighbourhoodCache cache, ReadOnlyConnections connections) throws Exception {
    return connections.with(c -> cache.get(c, Set.of("a"))).neighbours().get("a").get("b");
  }

  private static List<Long> counts(NeighbourhoodCache cache) {
    return java.util.Arrays.stream(cache.counts()).boxed().toList();
  }

  private static void setCoCount(String db, long n) throws Exception {
    try (Connection c = Postgres.connect(db);
        java.sql.PreparedStatement st = c.prepareStatement("UPDATE " + RecommendationTables.CO_LISTENS + " SET co_count = ?")) {
      st.setLong(1, n);
      st.executeUpdate();
    }
  }
}
