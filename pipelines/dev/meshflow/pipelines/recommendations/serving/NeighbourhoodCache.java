package dev.meshflow.pipelines.recommendations.serving;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each seed's neighbourhood, as ranking reads it, kept for up to {@code maxAgeMillis} ({@code
 * serve --cacheMillis}): a listener's seeds are mostly popular items, so at hundreds of requests a
 * second most are read from the store once per that age instead of once per request. A listener's
 * own history is never kept. 0 keeps nothing.
 */
final class NeighbourhoodCache {
  /** A catalogue is a few thousand items; past this many seeds the cache starts again. */
  static final int MAX_SEEDS = 200_000;

  private record Kept<T>(long atNanos, T value) {}

  private final long maxAgeNanos;
  private final ConcurrentHashMap<String, Kept<RecommendationStore.Neighbourhood>> seeds = new ConcurrentHashMap<>();
  private volatile Kept<Boolean> catalogued;

  NeighbourhoodCache(long maxAgeMillis) {
    this.maxAgeNanos = maxAgeMillis * 1_000_000L;
  }

  /** Each seed's neighbourhood: kept ones younger than the age, the rest read in one go. */
  Map<String, RecommendationStore.Neighbourhood> get(Connection c, Collection<String> wanted) throws SQLException {
    long now = System.nanoTime();
    Map<String, RecommendationStore.Neighbourhood> out = new HashMap<>();
    Set<String> missing = new HashSet<>();
    for (String seed : wanted) {
      Kept<RecommendationStore.Neighbourhood> kept = seeds.get(seed);
      if (kept != null && now - kept.atNanos() < maxAgeNanos) {
        out.put(seed, kept.value());
      } else {
        missing.add(seed);
      }
    }
    if (!missing.isEmpty()) {
      Map<String, RecommendationStore.Neighbourhood> read = RecommendationStore.neighbourhoods(c, missing);
      if (maxAgeNanos > 0) {
        if (seeds.size() > MAX_SEEDS) {
          seeds.clear();
        }
        read.forEach((seed, hood) -> seeds.put(seed, new Kept<>(now, hood)));
      }
      out.putAll(read);
    }
    return out;
  }

  /** Whether the store holds the item products' items (RecommendationStore.catalogued), kept as long. */
  boolean catalogued(Connection c) throws SQLException {
    long now = System.nanoTime();
    Kept<Boolean> kept = catalogued;
    if (kept != null && now - kept.atNanos() < maxAgeNanos) {
      return kept.value();
    }
    boolean value = RecommendationStore.catalogued(c);
    catalogued = new Kept<>(now, value);
    return value;
  }
}
