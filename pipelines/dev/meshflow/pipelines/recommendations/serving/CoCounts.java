package dev.meshflow.pipelines.recommendations.serving;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * One seed's co-listening counts as the API keeps them: two arrays, where a {@code HashMap} holds a
 * node and a boxed count per neighbour. A thousand kept neighbourhoods of a thousand neighbours are
 * then a few thousand objects for the collector to trace and copy, not millions: with maps,
 * {@code serve}'s young collections paused it for 20 to 140 ms under load (docs/benchmarks.md).
 * Read-only; ranking iterates it, and {@link #get} is a scan.
 */
final class CoCounts extends AbstractMap<String, Long> {
  private static final CoCounts NONE = new CoCounts(new String[0], new long[0]);

  private final String[] items;
  private final long[] counts;

  private CoCounts(String[] items, long[] counts) {
    this.items = items;
    this.counts = counts;
  }

  /** {@code read}'s counts, each item's id as {@code canonical} gives it (one String per item, not one per seed). */
  static CoCounts of(Map<String, Long> read, UnaryOperator<String> canonical) {
    if (read.isEmpty()) {
      return NONE;
    }
    String[] items = new String[read.size()];
    long[] counts = new long[read.size()];
    int i = 0;
    for (Map.Entry<String, Long> e : read.entrySet()) {
      items[i] = canonical.apply(e.getKey());
      counts[i++] = e.getValue();
    }
    return new CoCounts(items, counts);
  }

  /** Whether {@code read} holds exactly these counts, so that what is kept can stay as it is. */
  boolean sameAs(Map<String, Long> read) {
    if (read.size() != items.length) {
      return false;
    }
    for (int i = 0; i < items.length; i++) {
      Long count = read.get(items[i]);
      if (count == null || count != counts[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int size() {
    return items.length;
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super Long> action) {
    for (int i = 0; i < items.length; i++) {
      action.accept(items[i], counts[i]);
    }
  }

  @Override
  public Set<Map.Entry<String, Long>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return items.length;
      }

      @Override
      public Iterator<Map.Entry<String, Long>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < items.length;
          }

          @Override
          public Map.Entry<String, Long> next() {
            if (next >= items.length) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(items[i], counts[i]);
          }
        };
      }
    };
  }
}
