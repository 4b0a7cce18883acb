package dev.meshflow.transforms.inference;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The steps both RunInference forms share. Steps: on a bounded input, or without a waiting limit,
 * batch within bundles and infer ({@link BundleBatchingFn}); on an endless input with a waiting
 * limit, spread elements over shard keys, buffer per key and window ({@link BufferWithinWindowFn}),
 * then infer ({@link InferBatchesFn}).
 */
final class InferenceSteps {
  private InferenceSteps() {}

  static <E, I, O, M, R> PCollectionTuple apply(PCollection<E> input, BatchRunner<E, I, O, M, R> runner,
      BatchBounds bounds, int shards, ModelRef fixed, PCollectionView<ModelRef> watched,
      TupleTag<R> results, TupleTag<DeadLetter> failures, Coder<R> resultCoder) {
    List<PCollectionView<?>> sideInputs = watched == null ? List.of() : List.of(watched);
    PCollectionTuple out;
    boolean stateful = bounds.maxBuffering() != null
        && input.isBounded() == PCollection.IsBounded.UNBOUNDED;
    if (!stateful) {
      out = input.apply("BatchInBundlesAndInfer",
          ParDo.of(new BundleBatchingFn<>(runner, fixed, watched))
              .withSideInputs(sideInputs)
              .withOutputTags(results, TupleTagList.of(failures)));
    } else {
      Coder<E> elementCoder = input.getCoder();
      Route<E, I, O, R> route = runner.route();
      out = input
          .apply("AssignShards", ParDo.of(new AssignShardFn<>(route, shards)))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), elementCoder))
          .apply("BufferWithinWindows", ParDo.of(
              new BufferWithinWindowFn<>(elementCoder, bounds.maxSize(), bounds.maxBuffering())))
          .setCoder(KvCoder.of(StringUtf8Coder.of(),
              ListCoder.of(TimestampedValue.TimestampedValueCoder.of(elementCoder))))
          .apply("InferBatches", ParDo.of(new InferBatchesFn<>(runner, fixed, watched))
              .withSideInputs(sideInputs)
              .withOutputTags(results, TupleTagList.of(failures)));
    }
    out.get(results).setCoder(resultCoder);
    out.get(failures).setCoder(DeadLetterCoder.of());
    return out;
  }

  /** Round-robin over shards within each model group, so groups never share a batch. */
  private static final class AssignShardFn<E> extends DoFn<E, KV<String, E>> {
    private final Route<E, ?, ?, ?> route;
    private final int shards;
    private transient int next;

    AssignShardFn(Route<E, ?, ?, ?> route, int shards) {
      this.route = route;
      this.shards = shards;
    }

    @Setup
    public void setup() {
      next = java.util.concurrent.ThreadLocalRandom.current().nextInt(shards);
    }

    @ProcessElement
    public void process(@Element E element, OutputReceiver<KV<String, E>> out) {
      next = (next + 1) % shards;
      out.output(KV.of(route.group(element) + "#" + next, element));
    }
  }
}
