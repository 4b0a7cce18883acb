package dev.meshflow.transforms.interactions;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Streaming only: routes events whose window has closed for good to {@link #TOO_LATE}, so they are
 * dead-lettered with their payload instead of being dropped without trace by the windowed
 * aggregation.
 *
 * <p>A DoFn cannot read the watermark, but an event-time timer that fires at T proves the watermark
 * has reached T. Each shard keeps one timer on the next window deadline (window end plus allowed
 * lateness) and records the deadlines that have passed. Deadlines fall on window boundaries, so
 * this knowledge is exact at the granularity that decides lateness. The timers do not hold the
 * watermark back.
 *
 * <p>Events are sharded by window (window index mod 8), not by id: a late event then always meets
 * the shard whose timer watched its own window close, however sparse the stream. The price is that
 * one window's events pass through one key; this step is a single state read per event.
 *
 * <p>Whatever this step passes, the aggregation accepts: on an element's channel it cannot have
 * seen a later watermark than this step had seen before passing it. A runner may deliver the
 * watermark late (Beam's Flink operators hold it while a bundle is open), and then a borderline
 * event counts in a late pane instead of being dead-lettered. Either way it is never lost, and
 * {@code runner_dropped_late} in the run counts would show it if it were.
 */
public final class SplitTooLate
    extends PTransform<PCollection<InteractionEvent>, PCollectionTuple> {
  public static final TupleTag<InteractionEvent> ON_TIME = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> TOO_LATE = new TupleTag<>() {};
  private static final int SHARDS = 8;

  private final Duration windowSize;
  private final Duration allowedLateness;

  public SplitTooLate(Duration windowSize, Duration allowedLateness) {
    this.windowSize = windowSize;
    this.allowedLateness = allowedLateness;
  }

  private int shardOf(long timestampMillis) {
    return (int) Math.floorMod(Math.floorDiv(timestampMillis, windowSize.getMillis()), (long) SHARDS);
  }

  @Override
  public PCollectionTuple expand(PCollection<InteractionEvent> events) {
    PCollectionTuple out = events
        .apply("ShardForWatermarkTracking", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.integers(), events.getTypeDescriptor()))
            .via(e -> KV.of(shardOf(e.timestampMillis()), e)))
        .setCoder(KvCoder.of(VarIntCoder.of(), InteractionEventCoder.of()))
        .apply("SplitOffTooLate", ParDo.of(new SplitFn(windowSize, allowedLateness))
            .withOutputTags(ON_TIME, TupleTagList.of(TOO_LATE)));
    out.get(ON_TIME).setCoder(InteractionEventCoder.of());
    out.get(TOO_LATE).setCoder(DeadLetterCoder.of());
    return out;
  }

  private static final class SplitFn extends DoFn<KV<Integer, InteractionEvent>, InteractionEvent> {
    private final long windowMillis;
    private final long latenessMillis;
    private final RunMetrics.StageCounter late =
        RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.LATE);

    @StateId("passedDeadline")
    private final StateSpec<ValueState<Long>> passedDeadline = StateSpecs.value(VarLongCoder.of());

    @StateId("nextDeadline")
    private final StateSpec<ValueState<Long>> nextDeadline = StateSpecs.value(VarLongCoder.of());

    @StateId("lastDeadline")
    private final StateSpec<ValueState<Long>> lastDeadline = StateSpecs.value(VarLongCoder.of());

    @TimerId("deadline")
    private final TimerSpec deadlineTimer = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    SplitFn(Duration windowSize, Duration allowedLateness) {
      this.windowMillis = windowSize.getMillis();
      this.latenessMillis = allowedLateness.getMillis();
    }

    private long deadlineOf(long timestampMillis) {
      long windowEnd = timestampMillis - Math.floorMod(timestampMillis, windowMillis) + windowMillis;
      return windowEnd + latenessMillis;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, InteractionEvent> element,
        @StateId("passedDeadline") ValueState<Long> passed,
        @StateId("nextDeadline") ValueState<Long> next,
        @StateId("lastDeadline") ValueState<Long> last,
        @TimerId("deadline") Timer timer,
        MultiOutputReceiver out) {
      InteractionEvent event = element.getValue();
      long deadline = deadlineOf(event.timestampMillis());
      Long known = passed.read();
      // The aggregation drops an element once window.maxTimestamp + lateness < watermark, that is
      // once the watermark has reached the deadline.
      if (known != null && deadline <= known) {
        late.inc();
        out.get(TOO_LATE).output(new DeadLetter(
            Stages.LATE,
            "event time " + java.time.Instant.ofEpochMilli(event.timestampMillis())
                + " is beyond the allowed lateness: its window closed for good at "
                + java.time.Instant.ofEpochMilli(deadline),
            event.origin(), event.payload(), event.timestampMillis(), System.currentTimeMillis()));
        return;
      }
      out.get(ON_TIME).output(event);
      Long lastSeen = last.read();
      if (lastSeen == null || deadline > lastSeen) {
        last.write(deadline);
      }
      Long armed = next.read();
      if (armed == null || deadline < armed) {
        timer.withNoOutputTimestamp().set(new Instant(deadline));
        next.write(deadline);
      }
    }

    @OnTimer("deadline")
    public void onDeadline(
        OnTimerContext context,
        @StateId("passedDeadline") ValueState<Long> passed,
        @StateId("nextDeadline") ValueState<Long> next,
        @StateId("lastDeadline") ValueState<Long> last,
        @TimerId("deadline") Timer timer) {
      long fired = context.fireTimestamp().getMillis();
      Long known = passed.read();
      passed.write(known == null ? fired : Math.max(known, fired));
      Long lastSeen = last.read();
      // Step one window at a time while deadlines we have seen lie ahead; stop otherwise, so an
      // idle shard (or the final watermark of a bounded input) does not loop.
      if (lastSeen != null && lastSeen > fired) {
        long following = Math.min(fired + windowMillis, lastSeen);
        timer.withNoOutputTimestamp().set(new Instant(following));
        next.write(following);
      } else {
        next.clear();
      }
    }
  }
}
