package dev.meshflow.transforms.recommendations;

import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Sums the counts per key, in each window.
 *
 * <ul>
 *   <li>Streaming: one combine per key, so that each firing writes only the keys that changed.
 *   <li>Batch: the keys are summed in {@value #SHARDS} in-memory maps, one per hash shard, then
 *       split back into one total per key. The result is the same; the difference is the number of
 *       groups. A runner that processes each group as its own bundle (the DirectRunner does, and
 *       the sink commits once per bundle) then handles 16 groups instead of one per neighbour
 *       pair (docs/pipelines/recommendations.md, "Speed").
 * </ul>
 */
final class SumPerKey<K> extends PTransform<PCollection<KV<K, Long>>, PCollection<KV<K, Long>>> {
  static final int SHARDS = 16;

  private final boolean streaming;

  private SumPerKey(boolean streaming) {
    this.streaming = streaming;
  }

  static <K> SumPerKey<K> of(boolean streaming) {
    return new SumPerKey<>(streaming);
  }

  @Override
  public PCollection<KV<K, Long>> expand(PCollection<KV<K, Long>> counts) {
    if (streaming) {
      return counts.apply("SumPerKey", Sum.longsPerKey());
    }
    @SuppressWarnings("unchecked")
    Coder<K> keyCoder = ((KvCoder<K, Long>) counts.getCoder()).getKeyCoder();
    return counts
        .apply("ShardByKeyHash", ParDo.of(new ShardFn<K>()))
        .setCoder(KvCoder.of(VarIntCoder.of(), counts.getCoder()))
        .apply("SumInShardMaps", Combine.perKey(new MapSumFn<K>(keyCoder)))
        .apply("OneTotalPerKey", ParDo.of(new SplitFn<K>()))
        .setCoder(counts.getCoder());
  }

  private static final class ShardFn<K> extends DoFn<KV<K, Long>, KV<Integer, KV<K, Long>>> {
    @ProcessElement
    public void process(@Element KV<K, Long> count, OutputReceiver<KV<Integer, KV<K, Long>>> out) {
      out.output(KV.of(Math.floorMod(count.getKey().hashCode(), SHARDS), count));
    }
  }

  private static final class MapSumFn<K> extends Combine.CombineFn<KV<K, Long>, Map<K, Long>, Map<K, Long>> {
    private final Coder<K> keyCoder;

    MapSumFn(Coder<K> keyCoder) {
      this.keyCoder = keyCoder;
    }

    @Override
    public Map<K, Long> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<K, Long> addInput(Map<K, Long> totals, KV<K, Long> count) {
      totals.merge(count.getKey(), count.getValue(), Long::sum);
      return totals;
    }

    @Override
    public Map<K, Long> mergeAccumulators(Iterable<Map<K, Long>> all) {
      Map<K, Long> merged = new HashMap<>();
      all.forEach(m -> m.forEach((k, v) -> merged.merge(k, v, Long::sum)));
      return merged;
    }

    @Override
    public Map<K, Long> extractOutput(Map<K, Long> totals) {
      return totals;
    }

    @Override
    public Coder<Map<K, Long>> getAccumulatorCoder(CoderRegistry registry, Coder<KV<K, Long>> input) {
      return MapCoder.of(keyCoder, VarLongCoder.of());
    }

    @Override
    public Coder<Map<K, Long>> getDefaultOutputCoder(CoderRegistry registry, Coder<KV<K, Long>> input) {
      return MapCoder.of(keyCoder, VarLongCoder.of());
    }
  }

  private static final class SplitFn<K> extends DoFn<KV<Integer, Map<K, Long>>, KV<K, Long>> {
    @ProcessElement
    public void process(@Element KV<Integer, Map<K, Long>> shard, OutputReceiver<KV<K, Long>> out) {
      shard.getValue().forEach((k, v) -> out.output(KV.of(k, v)));
    }
  }
}
