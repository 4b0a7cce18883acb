package dev.meshflow.pipelines.recommendations.serving;

import dev.meshflow.io.sql.ReadOnlyConnections;
import dev.meshflow.transforms.recommendations.CatalogItem;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each seed's neighbourhood, as ranking reads it, kept for {@code maxAgeMillis} ({@code serve
 * --cacheMillis}): a listener's seeds are mostly popular items, and one seed's neighbourhood is
 * about a thousand rows, so reading it for every request is what loads the store.
 *
 * <p>A request reads a seed itself only the first time, or when its neighbourhood is older than
 * the stale limit ({@link #STALE_LIMIT} times the age, in the API). Past the age, the request is
 * answered from the kept neighbourhood and the seed is queued; one thread of the cache's own reads
 * queued seeds in batches, and rests as long as each batch took, so refreshing takes at most half of one core
 * with the store's share. Under load the neighbourhoods grow older instead of the requests
 * slower; {@link #counts()} says how it went. A listener's own history is never kept. 0 keeps
 * nothing: every request reads every seed.
 */
final class NeighbourhoodCache implements AutoCloseable {
  /** A catalogue is a few thousand items; past this many seeds the cache starts again. */
  static final int MAX_SEEDS = 200_000;
  /** A neighbourhood this many times older than the age is read again by the request that wants it. */
  static final int STALE_LIMIT = 20;
  /** Seeds the refresher reads in one query. */
  private static final int BATCH = 32;

  private record Kept<T>(long atNanos, T value) {}

  private final long maxAgeNanos;
  private final long staleLimitNanos;
  private final ReadOnlyConnections connections;
  private final ConcurrentHashMap<String, Kept<CoCounts>> seeds = new ConcurrentHashMap<>();
  /**
   * The plays and versions of every item a kept neighbourhood names, one entry per item (not one
   * per item and seed) and one String per id; bounded by the catalogue. An entry that a read finds
   * unchanged stays the same object, so a refresh leaves the collector little to copy.
   */
  private final ConcurrentHashMap<String, RecommendationStore.Played> plays = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CatalogItem> catalog = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> ids = new ConcurrentHashMap<>();
  private final Set<String> queued = new LinkedHashSet<>();
  private final AtomicLong readByRequests = new AtomicLong();
  private final AtomicLong refreshed = new AtomicLong();
  private final AtomicLong refreshFailures = new AtomicLong();
  private final Thread refresher;
  private final KeptValue<Boolean> catalogued = new KeptValue<>();
  private final KeptValue<Set<String>> deleted = new KeptValue<>();
  private volatile boolean closed;

  NeighbourhoodCache(long maxAgeMillis, ReadOnlyConnections connections) {
    this(maxAgeMillis, STALE_LIMIT * maxAgeMillis, connections);
  }

  NeighbourhoodCache(long maxAgeMillis, long staleLimitMillis, ReadOnlyConnections connections) {
    this.maxAgeNanos = maxAgeMillis * 1_000_000L;
    this.staleLimitNanos = staleLimitMillis * 1_000_000L;
    this.connections = connections;
    this.refresher = new Thread(this::refreshQueued, "meshflow-serve-neighbourhoods");
    refresher.setDaemon(true);
    if (maxAgeNanos > 0) {
      refresher.start();
    }
  }

  /**
   * Each seed's neighbourhood: kept ones (stale ones queued for the refresher), the rest read now;
   * with the plays and versions of their items as kept (as read, when nothing is kept).
   */
  RecommendationStore.Neighbourhoods get(Connection c, Collection<String> wanted) throws SQLException {
    long now = System.nanoTime();
    Map<String, Map<String, Long>> out = new HashMap<>();
    Set<String> missing = new HashSet<>();
    List<String> due = new ArrayList<>();
    for (String seed : wanted) {
      Kept<CoCounts> kept = seeds.get(seed);
      long age = kept == null ? Long.MAX_VALUE : now - kept.atNanos();
      if (maxAgeNanos == 0 || age >= staleLimitNanos) {
        missing.add(seed);
      } else {
        out.put(seed, kept.value());
        if (age >= maxAgeNanos) {
          due.add(seed);
        }
      }
    }
    if (!due.isEmpty()) {
      synchronized (queued) {
        if (queued.addAll(due)) {
          queued.notifyAll();
        }
      }
    }
    if (missing.isEmpty()) {
      return new RecommendationStore.Neighbourhoods(out, plays, catalog);
    }
    RecommendationStore.Neighbourhoods read = RecommendationStore.neighbourhoods(c, missing);
    readByRequests.addAndGet(missing.size());
    if (maxAgeNanos == 0) {
      return read;
    }
    out.putAll(keep(now, read));
    return new RecommendationStore.Neighbourhoods(out, plays, catalog);
  }

  /** Keeps what was read, as the same objects where nothing changed; returns each seed's counts as kept. */
  private Map<String, CoCounts> keep(long atNanos, RecommendationStore.Neighbourhoods read) {
    if (seeds.size() > MAX_SEEDS) {
      seeds.clear();
    }
    read.plays().forEach((item, p) -> plays.merge(canonical(item), p, NeighbourhoodCache::sameOrFresh));
    read.catalog().forEach((item, i) -> catalog.merge(canonical(item), i, NeighbourhoodCache::sameOrFresh));
    Map<String, CoCounts> kept = new HashMap<>();
    read.neighbours().forEach((seed, counts) -> {
      Kept<CoCounts> before = seeds.get(seed);
      CoCounts value = before != null && before.value().sameAs(counts) ? before.value()
          : CoCounts.of(counts, this::canonical);
      kept.put(seed, seeds.merge(canonical(seed), new Kept<>(atNanos, value),
          (old, fresh) -> old.atNanos() > fresh.atNanos() ? old : fresh).value());
    });
    return kept;
  }

  private String canonical(String id) {
    String known = ids.putIfAbsent(id, id);
    return known == null ? id : known;
  }

  private static <T> T sameOrFresh(T kept, T fresh) {
    return kept.equals(fresh) ? kept : fresh;
  }

  /** The refresher: queued seeds in batches, each batch followed by a rest as long as it took. */
  private void refreshQueued() {
    while (!closed) {
      List<String> batch = new ArrayList<>();
      try {
        synchronized (queued) {
          while (queued.isEmpty() && !closed) {
            queued.wait();
          }
          for (var it = queued.iterator(); it.hasNext() && batch.size() < BATCH; ) {
            batch.add(it.next());
            it.remove();
          }
        }
        if (batch.isEmpty()) {
          continue;
        }
        long t0 = System.nanoTime();
        try {
          keep(t0, connections.with(c -> RecommendationStore.neighbourhoods(c, batch)));
          refreshed.addAndGet(batch.size());
        } catch (SQLException | RuntimeException e) {
          // The store is down or busy: the kept ones serve on, and the next request that finds
          // one too old reads it itself (and answers 503 if the store is still down).
          refreshFailures.incrementAndGet();
        }
        long tookMillis = (System.nanoTime() - t0) / 1_000_000L;
        Thread.sleep(Math.max(1, tookMillis));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Whether the store holds the item products' items (RecommendationStore.catalogued), kept as long. */
  boolean catalogued(Connection c) throws SQLException {
    return catalogued.get(c, RecommendationStore::catalogued);
  }

  /**
   * The items their products have deleted, read again by the first request that finds them older
   * than the age (one short query, not a neighbourhood), so a deletion leaves every list within
   * about the age even while a kept neighbourhood is older. Empty when nothing is kept: then every
   * neighbourhood is read for the request anyway.
   */
  Set<String> deleted(Connection c) throws SQLException {
    return maxAgeNanos == 0 ? Set.of() : deleted.get(c, RecommendationStore::deletedItems);
  }

  /** One small value read from the store, kept for the age; read again by the request that finds it older. */
  private final class KeptValue<T> {
    private volatile Kept<T> kept;

    T get(Connection c, ReadOnlyConnections.Work<T> read) throws SQLException {
      long now = System.nanoTime();
      Kept<T> k = kept;
      if (k != null && now - k.atNanos() < maxAgeNanos) {
        return k.value();
      }
      T value = read.run(c);
      kept = new Kept<>(now, value);
      return value;
    }
  }

  /** Seeds kept, read by requests, refreshed by the refresher, failed refreshes, and queued now. */
  long[] counts() {
    int waiting;
    synchronized (queued) {
      waiting = queued.size();
    }
    return new long[] {seeds.size(), readByRequests.get(), refreshed.get(), refreshFailures.get(), waiting};
  }

  @Override
  public void close() {
    closed = true;
    refresher.interrupt();
  }
}
