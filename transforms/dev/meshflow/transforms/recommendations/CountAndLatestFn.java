package dev.meshflow.transforms.recommendations;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.values.KV;

/** How many events the model has learned from, and the latest event time among them. */
final class CountAndLatestFn extends Combine.CombineFn<Long, KV<Long, Long>, KV<Long, Long>> {
  private static final Coder<KV<Long, Long>> CODER = KvCoder.of(VarLongCoder.of(), VarLongCoder.of());

  @Override
  public KV<Long, Long> createAccumulator() {
    return KV.of(0L, Long.MIN_VALUE);
  }

  @Override
  public KV<Long, Long> addInput(KV<Long, Long> acc, Long eventTimeMillis) {
    return KV.of(acc.getKey() + 1, Math.max(acc.getValue(), eventTimeMillis));
  }

  @Override
  public KV<Long, Long> mergeAccumulators(Iterable<KV<Long, Long>> accs) {
    long count = 0;
    long latest = Long.MIN_VALUE;
    for (KV<Long, Long> acc : accs) {
      count += acc.getKey();
      latest = Math.max(latest, acc.getValue());
    }
    return KV.of(count, latest);
  }

  @Override
  public KV<Long, Long> extractOutput(KV<Long, Long> acc) {
    return acc;
  }

  @Override
  public Coder<KV<Long, Long>> getAccumulatorCoder(CoderRegistry registry, Coder<Long> input) {
    return CODER;
  }

  @Override
  public Coder<KV<Long, Long>> getDefaultOutputCoder(CoderRegistry registry, Coder<Long> input) {
    return CODER;
  }
}
