package dev.meshflow.transforms.ordering.model;

import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link OrderedPerKey}'s reference in plain Java. Elements arrive in rounds, each after the
 * watermark moved to a given time. A key flushes at the first multiple of the interval after its
 * oldest waiting element, once the watermark reaches it: the elements at or before the flush time
 * are stepped through in (time, tie-break) order, and an element that arrives at or before the
 * key's last flush is too late. At the end every waiting element is flushed. In batch ({@link
 * #atEnd}) there is one flush, at the end.
 */
public final class OrderedPerKeyModel {
  private OrderedPerKeyModel() {}

  /** One element: its key, value and event time. */
  public static final class Element<V> {
    public final String key;
    public final V value;
    public final long tsMillis;

    public Element(String key, V value, long tsMillis) {
      this.key = key;
      this.value = value;
      this.tsMillis = tsMillis;
    }
  }

  /** The watermark, then the elements that arrive after it moved there. */
  public static final class Round<V> {
    public final long watermarkMillis;
    public final List<Element<V>> arrivals;

    public Round(long watermarkMillis, List<Element<V>> arrivals) {
      this.watermarkMillis = watermarkMillis;
      this.arrivals = List.copyOf(arrivals);
    }
  }

  /** What the step emitted, in each key's order, and the values that were too late. */
  public static final class Result<V, O> {
    public final List<O> outputs = new ArrayList<>();
    public final List<V> tooLate = new ArrayList<>();
  }

  public static <V, S extends Serializable, O> Result<V, O> atEnd(
      List<Element<V>> elements, OrderedPerKey.Step<V, S, O> step) {
    return every(Long.MAX_VALUE, List.of(new Round<>(Long.MIN_VALUE, elements)), step);
  }

  public static <V, S extends Serializable, O> Result<V, O> every(
      long intervalMillis, List<Round<V>> rounds, OrderedPerKey.Step<V, S, O> step) {
    Result<V, O> result = new Result<>();
    Map<String, List<Element<V>>> waiting = new TreeMap<>();
    Map<String, Long> flushed = new HashMap<>();
    Map<String, S> machines = new HashMap<>();
    for (Round<V> round : rounds) {
      flushUpTo(round.watermarkMillis, intervalMillis, waiting, flushed, machines, step, result);
      for (Element<V> e : round.arrivals) {
        Long last = flushed.get(e.key);
        if (last != null && e.tsMillis <= last) {
          result.tooLate.add(e.value);
        } else {
          waiting.computeIfAbsent(e.key, k -> new ArrayList<>()).add(e);
        }
      }
    }
    flushUpTo(Long.MAX_VALUE, intervalMillis, waiting, flushed, machines, step, result);
    return result;
  }

  private static <V, S extends Serializable, O> void flushUpTo(long watermark, long interval,
      Map<String, List<Element<V>>> waiting, Map<String, Long> flushed, Map<String, S> machines,
      OrderedPerKey.Step<V, S, O> step, Result<V, O> result) {
    for (Map.Entry<String, List<Element<V>>> entry : waiting.entrySet()) {
      List<Element<V>> left = entry.getValue();
      while (!left.isEmpty()) {
        long oldest = left.stream().mapToLong(e -> e.tsMillis).min().getAsLong();
        long due = interval == Long.MAX_VALUE || oldest / interval + 1 > Long.MAX_VALUE / interval
            ? Long.MAX_VALUE : (oldest / interval + 1) * interval;
        if (due > watermark) {
          break;
        }
        List<Element<V>> ready = new ArrayList<>();
        List<Element<V>> later = new ArrayList<>();
        for (Element<V> e : left) {
          (e.tsMillis <= due ? ready : later).add(e);
        }
        ready.sort(Comparator.<Element<V>>comparingLong(e -> e.tsMillis)
            .thenComparing((a, b) -> step.tieBreak(a.value, b.value)));
        S machine = machines.computeIfAbsent(entry.getKey(), k -> step.start());
        for (Element<V> e : ready) {
          step.step(machine, e.value, e.tsMillis, result.outputs::add);
        }
        flushed.put(entry.getKey(), due);
        left.clear();
        left.addAll(later);
        if (due == Long.MAX_VALUE) {
          break;
        }
      }
    }
  }
}
