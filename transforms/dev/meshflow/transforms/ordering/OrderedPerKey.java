package dev.meshflow.transforms.ordering;

import dev.meshflow.transforms.timestamps.TimestampSkew;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
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
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Runs a per-key state machine over each key's elements in event-time order, the same code in
 * batch and streaming. Elements wait in state until the watermark passes them; then they are
 * sorted and stepped through, and the machine's state carries over to the next flush.
 *
 * <p>Only the flush interval differs by mode: in batch ({@link #atEnd}) everything is flushed once,
 * when the input ends; in streaming ({@link #every}) a key flushes each time the watermark crosses
 * an interval boundary past its oldest waiting element. An element at or before a key's last
 * flush can no longer be put in order: it goes to {@link #tooLate()} with its value, never lost.
 *
 * <p>A flush emits at the elements' own timestamps; the flush timer holds the output watermark at
 * the oldest waiting element, so downstream windows see these outputs on time.
 */
public final class OrderedPerKey<V, S extends Serializable, O>
    extends PTransform<PCollection<KV<String, V>>, PCollectionTuple> {

  /** The machine: a start state, a tie-break for equal timestamps, and a step per element. */
  public interface Step<V, S, O> extends Serializable {
    S start();

    /** Orders elements with equal timestamps, so every runner steps them the same way. */
    int tieBreak(V a, V b);

    /** Advances {@code state} (mutable) by one element and emits what it yields. */
    void step(S state, V value, long tsMillis, Consumer<O> out);
  }

  private final Step<V, S, O> step;
  private final Coder<O> outputCoder;
  private final Duration flushEvery;
  /** Streaming: a key idle this long loses its state (zero: never). */
  private final Duration expireIdle;
  private final TupleTag<O> output = new TupleTag<>() {};
  private final TupleTag<V> tooLate = new TupleTag<>() {};

  private OrderedPerKey(Step<V, S, O> step, Coder<O> outputCoder, Duration flushEvery, Duration expireIdle) {
    this.step = step;
    this.outputCoder = outputCoder;
    this.flushEvery = flushEvery;
    this.expireIdle = expireIdle;
  }

  /** Batch: one flush per key when the input ends. */
  public static <V, S extends Serializable, O> OrderedPerKey<V, S, O> atEnd(Step<V, S, O> step, Coder<O> coder) {
    return new OrderedPerKey<>(step, coder, Duration.ZERO, Duration.ZERO);
  }

  /** Streaming: a flush per key each time the watermark crosses a multiple of {@code interval}. */
  public static <V, S extends Serializable, O> OrderedPerKey<V, S, O> every(
      Duration interval, Step<V, S, O> step, Coder<O> coder) {
    if (!interval.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("the flush interval must be positive");
    }
    return new OrderedPerKey<>(step, coder, interval, Duration.ZERO);
  }

  /**
   * Streaming: drops a key's state once no element has arrived for {@code idle} of event time, so
   * an endless stream of short-lived keys keeps bounded state. The step must treat such a gap as a
   * fresh start itself (batch never expires state), so that both modes give the same output.
   */
  public OrderedPerKey<V, S, O> expiringAfterIdle(Duration idle) {
    return new OrderedPerKey<>(step, outputCoder, flushEvery, idle);
  }

  public TupleTag<O> output() {
    return output;
  }

  public TupleTag<V> tooLate() {
    return tooLate;
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, V>> input) {
    @SuppressWarnings("unchecked")
    Coder<V> valueCoder = ((KvCoder<String, V>) input.getCoder()).getValueCoder();
    PCollectionTuple out = input
        .apply("GlobalWindow", Window.<KV<String, V>>into(new GlobalWindows()))
        .apply("StepInOrder", ParDo.of(new OrderedFn<>(step, valueCoder, flushEvery.getMillis(), expireIdle.getMillis(), output, tooLate))
            .withOutputTags(output, TupleTagList.of(tooLate)));
    out.get(output).setCoder(outputCoder);
    out.get(tooLate).setCoder(valueCoder);
    return out;
  }

  private static final class OrderedFn<V, S extends Serializable, O> extends DoFn<KV<String, V>, O> {
    private final Step<V, S, O> step;
    private final long flushMillis;
    private final long expireMillis;
    private final TupleTag<O> output;
    private final TupleTag<V> tooLate;

    @StateId("waiting")
    private final StateSpec<BagState<TimestampedValue<V>>> waitingSpec;

    @StateId("machine")
    private final StateSpec<ValueState<S>> machineSpec = StateSpecs.value(SerializableCoder.of(castSerializable()));

    /** The last flush time: elements at or before it are too late. */
    @StateId("flushed")
    private final StateSpec<ValueState<Long>> flushedSpec = StateSpecs.value(VarLongCoder.of());

    /** When the pending flush fires, and the oldest waiting timestamp it holds the watermark at. */
    @StateId("due")
    private final StateSpec<ValueState<Long>> dueSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("hold")
    private final StateSpec<ValueState<Long>> holdSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("flush")
    private final TimerSpec flushSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @TimerId("expire")
    private final TimerSpec expireSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    OrderedFn(Step<V, S, O> step, Coder<V> valueCoder, long flushMillis, long expireMillis,
        TupleTag<O> output, TupleTag<V> tooLate) {
      this.step = step;
      this.flushMillis = flushMillis;
      this.expireMillis = expireMillis;
      this.output = output;
      this.tooLate = tooLate;
      this.waitingSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(valueCoder));
    }

    // The flush timer's output timestamp holds the watermark at the oldest waiting element, so its
    // outputs are on time. Flink's batch mode checks outputs against a later timer timestamp
    // anyway; the skew lets them through there.
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return TimestampSkew.UNLIMITED;
    }

    @SuppressWarnings("unchecked")
    private static <S> Class<S> castSerializable() {
      return (Class<S>) (Class<?>) Serializable.class;
    }

    @ProcessElement
    public void process(@Element KV<String, V> element, @Timestamp Instant ts, BoundedWindow window,
        @StateId("waiting") BagState<TimestampedValue<V>> waiting,
        @StateId("flushed") ValueState<Long> flushed,
        @StateId("due") ValueState<Long> due,
        @StateId("hold") ValueState<Long> hold,
        @TimerId("flush") Timer flush,
        MultiOutputReceiver out) {
      if (flushMillis == 0) {
        // Batch: one flush per key at the end and nothing can be late, so one state read per
        // element instead of four; the watermark hold does not matter when the input is complete.
        waiting.add(TimestampedValue.of(element.getValue(), ts));
        if (due.read() == null) {
          flush.withOutputTimestamp(BoundedWindow.TIMESTAMP_MIN_VALUE).set(window.maxTimestamp());
          due.write(window.maxTimestamp().getMillis());
        }
        return;
      }
      Long last = flushed.read();
      if (last != null && ts.getMillis() <= last) {
        out.get(tooLate).output(element.getValue());
        return;
      }
      waiting.add(TimestampedValue.of(element.getValue(), ts));
      long target = flushAfter(ts.getMillis(), window);
      Long pendingDue = due.read();
      Long pendingHold = hold.read();
      long newDue = pendingDue == null ? target : Math.min(pendingDue, target);
      long newHold = pendingHold == null ? ts.getMillis() : Math.min(pendingHold, ts.getMillis());
      if (pendingDue == null || newDue != pendingDue || newHold != pendingHold) {
        arm(flush, due, hold, newDue, newHold);
      }
    }

    /** The first interval boundary after {@code millis}, within the window. */
    private long flushAfter(long millis, BoundedWindow window) {
      return Math.min(window.maxTimestamp().getMillis(), (millis / flushMillis + 1) * flushMillis);
    }

    /** Sets the flush timer, holding the watermark at {@code holdMillis}, and remembers both. */
    private static void arm(Timer flush, ValueState<Long> due, ValueState<Long> hold, long dueMillis,
        long holdMillis) {
      flush.withOutputTimestamp(new Instant(holdMillis)).set(new Instant(dueMillis));
      due.write(dueMillis);
      hold.write(holdMillis);
    }

    @OnTimer("flush")
    public void onFlush(OnTimerContext context, BoundedWindow window,
        @StateId("waiting") BagState<TimestampedValue<V>> waiting,
        @StateId("machine") ValueState<S> machine,
        @StateId("flushed") ValueState<Long> flushed,
        @StateId("due") ValueState<Long> due,
        @StateId("hold") ValueState<Long> hold,
        @TimerId("flush") Timer flush,
        @TimerId("expire") Timer expire) {
      long now = context.fireTimestamp().getMillis();
      List<TimestampedValue<V>> ready = new ArrayList<>();
      List<TimestampedValue<V>> later = new ArrayList<>();
      for (TimestampedValue<V> v : waiting.read()) {
        (v.getTimestamp().getMillis() <= now ? ready : later).add(v);
      }
      Comparator<TimestampedValue<V>> order = Comparator.comparing(TimestampedValue::getTimestamp);
      ready.sort(order.thenComparing((a, b) -> step.tieBreak(a.getValue(), b.getValue())));
      S state = machine.read();
      if (state == null) {
        state = step.start();
      }
      for (TimestampedValue<V> v : ready) {
        Instant at = v.getTimestamp();
        step.step(state, v.getValue(), at.getMillis(), o -> context.outputWithTimestamp(o, at));
      }
      machine.write(state);
      flushed.write(now);
      waiting.clear();
      due.clear();
      hold.clear();
      if (!later.isEmpty()) {
        long oldest = Long.MAX_VALUE;
        for (TimestampedValue<V> v : later) {
          waiting.add(v);
          oldest = Math.min(oldest, v.getTimestamp().getMillis());
        }
        arm(flush, due, hold, flushAfter(oldest, window), oldest);
      } else if (flushMillis > 0 && expireMillis > 0
          && now + expireMillis < window.maxTimestamp().getMillis()) {
        expire.withNoOutputTimestamp().set(new Instant(now + expireMillis)); // holds nothing back
      }
    }

    /** Fires once a key has been idle for the expiry time; a newer flush moved it on otherwise. */
    @OnTimer("expire")
    public void onExpire(OnTimerContext context,
        @StateId("machine") ValueState<S> machine,
        @StateId("flushed") ValueState<Long> flushed,
        @StateId("due") ValueState<Long> due) {
      Long last = flushed.read();
      if (due.read() == null && last != null
          && last + expireMillis <= context.fireTimestamp().getMillis()) {
        machine.clear();
        flushed.clear();
      }
    }
  }
}
