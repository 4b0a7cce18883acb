package dev.meshflow.transforms.inference;

import dev.meshflow.transforms.timestamps.TimestampSkew;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Batches within a bundle, as Beam Python's BatchElements does: no shuffle, no state, a buffer per
 * (window, model group, model), flushed when it reaches the estimator's size and when the bundle
 * ends. Results keep their element's timestamp and window.
 */
final class BundleBatchingFn<E, I, O, M, R> extends DoFn<E, R> {
  private final BatchRunner<E, I, O, M, R> runner;
  private final ModelSource models;
  private transient Map<List<Object>, Buffer<E>> buffers;
  /** The buffer the previous element went to; consecutive elements nearly always share it. */
  private transient Buffer<E> lastBuffer;

  private static final class Buffer<E> {
    /** (window, model group, model): the buffer's entry in {@code buffers}. */
    final List<Object> key;
    final ModelRef ref;
    final int target;
    final List<Pending<E>> items = new ArrayList<>();

    Buffer(List<Object> key, ModelRef ref, int target) {
      this.key = key;
      this.ref = ref;
      this.target = target;
    }
  }

  BundleBatchingFn(BatchRunner<E, I, O, M, R> runner, ModelRef fixed, PCollectionView<ModelRef> watched) {
    this.runner = runner;
    this.models = new ModelSource(fixed, watched);
  }

  @Setup
  public void setup() {
    runner.setup();
  }

  @StartBundle
  public void startBundle() {
    buffers = new LinkedHashMap<>();
    lastBuffer = null;
  }

  @ProcessElement
  public void process(ProcessContext c, BoundedWindow window) {
    E element = c.element();
    String group = runner.route().group(element);
    ModelRef ref = runner.route().model(group, models.current(c));
    Buffer<E> buffer = lastBuffer;
    if (buffer == null || !buffer.key.get(0).equals(window) || !buffer.key.get(1).equals(group)
        || !Objects.equals(buffer.ref, ref)) {
      buffer = buffers.computeIfAbsent(Arrays.asList(window, group, ref),
          k -> new Buffer<>(k, ref, runner.nextSize()));
      lastBuffer = buffer;
    }
    buffer.items.add(new Pending<>(element, c.timestamp(), window));
    if (buffer.items.size() >= buffer.target) {
      buffers.remove(buffer.key);
      lastBuffer = null;
      runner.run(buffer.items, ref, new BatchRunner.Emitter() {
        @Override
        public <T> void emit(TupleTag<T> tag, T value, Instant timestamp, BoundedWindow w) {
          // Same window as the current element (buffers are per window); maybe an earlier time.
          c.outputWithTimestamp(tag, value, timestamp);
        }
      });
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    for (Buffer<E> buffer : buffers.values()) {
      runner.run(buffer.items, buffer.ref, new BatchRunner.Emitter() {
        @Override
        public <T> void emit(TupleTag<T> tag, T value, Instant timestamp, BoundedWindow window) {
          c.output(tag, value, timestamp, window);
        }
      });
    }
    buffers = null;
  }

  /**
   * A result may carry the timestamp of an earlier element of the same bundle. That is safe: the
   * runner holds the watermark for a bundle's elements until the bundle commits, and a buffer
   * never outlives its bundle.
   */
  @SuppressWarnings("deprecation")
  @Override
  public Duration getAllowedTimestampSkew() {
    return TimestampSkew.UNLIMITED;
  }
}
