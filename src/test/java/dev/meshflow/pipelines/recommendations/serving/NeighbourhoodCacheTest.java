package dev.meshflow.pipelines.recommendations.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.sql.ReadOnlyConnections;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
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
    String db = Postgres.newDatabase("neighbourhood_cache");
    try (Connection c = Postgres.connect(db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + RecommendationTables.CO_LISTENS + " (item_id TEXT, neighbour_id TEXT, co_count BIGINT)");
      st.execute("CREATE TABLE " + RecommendationTables.ITEM_PLAYS + " (item_id TEXT, item_type TEXT, plays BIGINT)");
      st.execute("CREATE TABLE " + RecommendationTables.ITEMS
          + " (item_id TEXT, item_type TEXT, creator TEXT, genre TEXT, deleted BOOLEAN)");
      st.execute("INSERT INTO " + RecommendationTables.CO_LISTENS + " VALUES ('a', 'b', 1)");
      st.execute("INSERT INTO " + RecommendationTables.ITEM_PLAYS + " VALUES ('a', 'song', 5), ('b', 'song', 3)");
    }
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

  private static long coCount(NeighbourhoodCache cache, ReadOnlyConnections connections) throws Exception {
    return connections.with(c -> cache.get(c, Set.of("a"))).get("a").neighbours().get("b");
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
