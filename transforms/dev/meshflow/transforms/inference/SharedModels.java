package dev.meshflow.transforms.inference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One copy of each model per worker JVM, shared by every thread and DoFn instance, as Beam
 * Python's {@code Shared} handle does. A model is loaded on first use; the least recently used
 * beyond {@link #CAPACITY} models is released once no batch is using it, so a long run that
 * hot-swaps models many times does not keep them all.
 */
public final class SharedModels {
  /** Enough for a keyed handler with a few groups plus the model being swapped out. */
  public static final int CAPACITY = 8;

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>(16, 0.75f, true);
  private static final Map<String, AtomicLong> LOADS = new ConcurrentHashMap<>();

  private SharedModels() {}

  /** A model in use; close it when the batch is done so the cache may release it. */
  public static final class Lease<M> implements AutoCloseable {
    private final Entry entry;
    private final M model;
    private final long loadMillis;

    Lease(Entry entry, M model, long loadMillis) {
      this.entry = entry;
      this.model = model;
      this.loadMillis = loadMillis;
    }

    public M model() {
      return model;
    }

    /** How long this call spent loading the model: zero when it was cached. */
    public long loadMillis() {
      return loadMillis;
    }

    @Override
    public void close() {
      entry.unlease();
    }
  }

  private static final class Entry {
    final String key;
    final ModelHandler<?, ?, ?> handler;
    Object model;
    int leases;
    boolean evicted;

    Entry(String key, ModelHandler<?, ?, ?> handler) {
      this.key = key;
      this.handler = handler;
    }

    synchronized void unlease() {
      leases--;
      if (evicted && leases == 0) {
        release();
      }
    }

    synchronized void evict() {
      evicted = true;
      if (leases == 0) {
        release();
      }
    }

    @SuppressWarnings("unchecked")
    private void release() {
      if (model != null) {
        try {
          ((ModelHandler<?, ?, Object>) handler).release(model);
        } catch (Exception e) {
          System.err.println("meshflow: releasing model " + key + " failed: " + e);
        }
        model = null;
      }
    }
  }

  /** The model {@code ref} names, loaded by {@code handler} unless this JVM already holds it. */
  @SuppressWarnings("unchecked")
  public static <M> Lease<M> acquire(ModelHandler<?, ?, M> handler, ModelRef ref) throws Exception {
    String key = keyOf(handler, ref);
    Entry entry;
    List<Entry> evicted = new ArrayList<>();
    synchronized (ENTRIES) {
      entry = ENTRIES.computeIfAbsent(key, k -> new Entry(k, handler));
      while (ENTRIES.size() > CAPACITY) {
        Entry eldest = ENTRIES.values().iterator().next();
        ENTRIES.remove(eldest.key);
        evicted.add(eldest);
      }
    }
    for (Entry e : evicted) {
      e.evict();
    }
    // Loading happens under the entry's lock only: other models stay usable meanwhile, and two
    // threads asking for the same new model load it once.
    synchronized (entry) {
      long loadMillis = 0;
      if (entry.model == null) {
        if (entry.evicted) {
          // Evicted between lookup and lock: load a fresh, uncached copy that this lease frees.
          entry = new Entry(key, handler);
          entry.evicted = true;
        }
        long start = System.nanoTime();
        entry.model = handler.load(ref);
        loadMillis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
        LOADS.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
      }
      entry.leases++;
      return new Lease<>(entry, (M) entry.model, loadMillis);
    }
  }

  /** How many times this JVM has loaded {@code ref} with {@code handler}. */
  public static long loads(ModelHandler<?, ?, ?> handler, ModelRef ref) {
    AtomicLong n = LOADS.get(keyOf(handler, ref));
    return n == null ? 0 : n.get();
  }

  private static String keyOf(ModelHandler<?, ?, ?> handler, ModelRef ref) {
    return handler.cacheKey() + '\u0000' + ref.id() + '\u0000' + ref.location();
  }
}
