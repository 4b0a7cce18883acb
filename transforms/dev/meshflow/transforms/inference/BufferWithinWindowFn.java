package dev.meshflow.transforms.inference;

import dev.meshflow.transforms.timestamps.TimestampSkew;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Streaming batching with a waiting limit, per shard key and window: a batch is emitted when it
 * holds {@code maxSize} elements, when its first element has waited {@code maxBuffering} of
 * processing time, or when the watermark reaches the end of its window. State is per window, so a
 * batch never crosses one.
 *
 * <p>A batch carries the timestamp of its earliest element, and while elements wait, the timeout
 * timer holds the output watermark there: downstream, every element's result is on time.
 */
final class BufferWithinWindowFn<E> extends DoFn<KV<String, E>, KV<String, List<TimestampedValue<E>>>> {
  private final int maxSize;
  private final long maxBufferingMillis;

  @StateId("buffer")
  private final StateSpec<BagState<TimestampedValue<E>>> bufferSpec;

  @StateId("count")
  private final StateSpec<ValueState<Integer>> countSpec = StateSpecs.value(VarIntCoder.of());

  @StateId("minTs")
  private final StateSpec<ValueState<Long>> minTsSpec = StateSpecs.value(VarLongCoder.of());

  @StateId("deadline")
  private final StateSpec<ValueState<Long>> deadlineSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("timeout")
  private final TimerSpec timeoutSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

  @TimerId("windowEnd")
  private final TimerSpec windowEndSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  BufferWithinWindowFn(Coder<E> elementCoder, int maxSize, Duration maxBuffering) {
    this.maxSize = maxSize;
    this.maxBufferingMillis = maxBuffering.getMillis();
    this.bufferSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(elementCoder));
  }

  @ProcessElement
  public void process(
      @Element KV<String, E> element,
      @Timestamp Instant timestamp,
      BoundedWindow window,
      @StateId("buffer") BagState<TimestampedValue<E>> buffer,
      @StateId("count") ValueState<Integer> count,
      @StateId("minTs") ValueState<Long> minTs,
      @StateId("deadline") ValueState<Long> deadline,
      @TimerId("timeout") Timer timeout,
      @TimerId("windowEnd") Timer windowEnd,
      OutputReceiver<KV<String, List<TimestampedValue<E>>>> out) {
    buffer.add(TimestampedValue.of(element.getValue(), timestamp));
    Integer before = count.read();
    int n = before == null ? 1 : before + 1;
    Long oldMin = minTs.read();
    long min = oldMin == null ? timestamp.getMillis() : Math.min(oldMin, timestamp.getMillis());
    if (n >= maxSize) {
      emit(element.getKey(), buffer, min, out);
      clear(buffer, count, minTs, deadline, timeout);
      return;
    }
    count.write(n);
    minTs.write(min);
    Long due = deadline.read();
    if (due == null) {
      // The runner's processing time, not the wall clock: they differ under TestStream.
      due = timeout.getCurrentRelativeTime().getMillis() + maxBufferingMillis;
      deadline.write(due);
      windowEnd.set(window.maxTimestamp());
    }
    if (oldMin == null || min < oldMin) {
      // (Re)set with the same due time, holding the watermark at the earliest waiting element.
      timeout.withOutputTimestamp(new Instant(min)).set(new Instant(due));
    }
  }

  @OnTimer("timeout")
  public void onTimeout(
      @Key String key,
      @StateId("buffer") BagState<TimestampedValue<E>> buffer,
      @StateId("count") ValueState<Integer> count,
      @StateId("minTs") ValueState<Long> minTs,
      @StateId("deadline") ValueState<Long> deadline,
      @TimerId("timeout") Timer timeout,
      OutputReceiver<KV<String, List<TimestampedValue<E>>>> out) {
    flush(key, buffer, count, minTs, deadline, timeout, out);
  }

  @OnTimer("windowEnd")
  public void onWindowEnd(
      @Key String key,
      @StateId("buffer") BagState<TimestampedValue<E>> buffer,
      @StateId("count") ValueState<Integer> count,
      @StateId("minTs") ValueState<Long> minTs,
      @StateId("deadline") ValueState<Long> deadline,
      @TimerId("timeout") Timer timeout,
      OutputReceiver<KV<String, List<TimestampedValue<E>>>> out) {
    flush(key, buffer, count, minTs, deadline, timeout, out);
  }

  private void flush(String key, BagState<TimestampedValue<E>> buffer, ValueState<Integer> count,
      ValueState<Long> minTs, ValueState<Long> deadline, Timer timeout,
      OutputReceiver<KV<String, List<TimestampedValue<E>>>> out) {
    Long min = minTs.read();
    if (min != null) {
      emit(key, buffer, min, out);
    }
    clear(buffer, count, minTs, deadline, timeout);
  }

  private void emit(String key, BagState<TimestampedValue<E>> buffer, long min,
      OutputReceiver<KV<String, List<TimestampedValue<E>>>> out) {
    List<TimestampedValue<E>> batch = new ArrayList<>();
    buffer.read().forEach(batch::add);
    out.outputWithTimestamp(KV.of(key, batch), new Instant(min));
  }

  private static void clear(BagState<?> buffer, ValueState<Integer> count, ValueState<Long> minTs,
      ValueState<Long> deadline, Timer timeout) {
    buffer.clear();
    count.clear();
    minTs.clear();
    deadline.clear();
    timeout.clear();
  }

  /** A batch goes out at its earliest element's time, which the timeout timer was holding. */
  @SuppressWarnings("deprecation")
  @Override
  public Duration getAllowedTimestampSkew() {
    return TimestampSkew.UNLIMITED;
  }
}
