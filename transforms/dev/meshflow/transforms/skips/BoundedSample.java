package dev.meshflow.transforms.skips;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * At most {@code max} elements of a window, the same ones on every runner: those first in a fixed
 * order (a hash of their id, say), so partial samples merge without holding the whole window.
 */
public final class BoundedSample<T> extends Combine.CombineFn<T, List<T>, List<T>> {
  private final int max;
  private final Comparator<T> order;
  private final Coder<T> coder;

  public BoundedSample(int max, Comparator<T> order, Coder<T> coder) {
    this.max = max;
    this.order = order;
    this.coder = coder;
  }

  @Override
  public List<T> createAccumulator() {
    return new ArrayList<>();
  }

  @Override
  public List<T> addInput(List<T> acc, T value) {
    acc.add(value);
    return acc.size() > 2 * max ? trim(acc) : acc;
  }

  @Override
  public List<T> mergeAccumulators(Iterable<List<T>> all) {
    List<T> merged = new ArrayList<>();
    for (List<T> a : all) {
      merged.addAll(a);
      if (merged.size() > 2 * max) {
        merged = trim(merged);
      }
    }
    return merged;
  }

  @Override
  public List<T> extractOutput(List<T> acc) {
    return trim(acc);
  }

  private List<T> trim(List<T> acc) {
    acc.sort(order);
    return acc.size() > max ? new ArrayList<>(acc.subList(0, max)) : acc;
  }

  @Override
  public Coder<List<T>> getAccumulatorCoder(CoderRegistry r, Coder<T> in) {
    return ListCoder.of(coder);
  }

  @Override
  public Coder<List<T>> getDefaultOutputCoder(CoderRegistry r, Coder<T> in) {
    return ListCoder.of(coder);
  }
}
