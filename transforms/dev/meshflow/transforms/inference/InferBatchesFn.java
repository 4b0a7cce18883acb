package dev.meshflow.transforms.inference;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/** Runs the batches {@link BufferWithinWindowFn} made; results go out at their own timestamps. */
final class InferBatchesFn<E, I, O, M, R> extends DoFn<KV<String, List<TimestampedValue<E>>>, R> {
  private final BatchRunner<E, I, O, M, R> runner;
  private final ModelSource models;

  InferBatchesFn(BatchRunner<E, I, O, M, R> runner, ModelRef fixed, PCollectionView<ModelRef> watched) {
    this.runner = runner;
    this.models = new ModelSource(fixed, watched);
  }

  @Setup
  public void setup() {
    runner.setup();
  }

  @ProcessElement
  public void process(ProcessContext c, BoundedWindow window) {
    List<TimestampedValue<E>> batch = c.element().getValue();
    if (batch.isEmpty()) {
      return;
    }
    String group = runner.route().group(batch.get(0).getValue());
    ModelRef ref = runner.route().model(group, models.current(c));
    List<Pending<E>> pending = new ArrayList<>(batch.size());
    for (TimestampedValue<E> v : batch) {
      pending.add(new Pending<>(v.getValue(), v.getTimestamp(), window));
    }
    runner.run(pending, ref, new BatchRunner.Emitter() {
      @Override
      public <T> void emit(TupleTag<T> tag, T value, Instant timestamp, BoundedWindow w) {
        // Never earlier than the batch's own timestamp, its earliest element's.
        c.outputWithTimestamp(tag, value, timestamp);
      }
    });
  }
}
