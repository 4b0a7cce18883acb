package dev.meshflow.transforms.skips;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.timestamps.TimestampSkew;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import org.apache.beam.sdk.coders.ByteCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Labels each play with its outcome, the same way in batch and streaming: skipped if a {@code
 * skip} of the same item in the same session arrives within {@code timeout} of the play, listened
 * on once the timeout passes without one.
 *
 * <p>Per bucket of users, one event-time timer at the earliest deadline (one per play would swamp
 * the Direct runner), whose output timestamp holds the watermark at the oldest waiting play: labels go out at
 * their play's timestamp and land in the play's windows on time. Labels are decided when the
 * timeout has passed, with everything on time in hand, so batch and streaming agree.
 */
public final class LabelOutcomes {
  public static final String NAMESPACE = "skips";

  private LabelOutcomes() {}

  /**
   * @param plays what to label (a listen, or a prediction of one)
   * @param listenOf the listen behind each play
   * @param events the interaction events; only skips are used
   * @param flushEvery streaming: labels are decided when the watermark crosses a multiple of this
   *     past a deadline, so a user's timer fires at most once per interval; zero (batch): once,
   *     when the input ends
   */
  public static <V> PCollection<Labeled<V>> label(String name, PCollection<V> plays,
      SerializableFunction<V, Listen> listenOf, PCollection<InteractionEvent> events, Duration timeout,
      Duration flushEvery) {
    Coder<V> playCoder = plays.getCoder();
    PlayOrSkipCoder<V> coder = new PlayOrSkipCoder<>(playCoder);
    KvCoder<String, PlayOrSkip<V>> kvCoder = KvCoder.of(StringUtf8Coder.of(), coder);
    PCollection<KV<String, PlayOrSkip<V>>> fromPlays = plays
        .apply(name + "/KeyPlays", MapElements.into(new TypeDescriptor<KV<String, PlayOrSkip<V>>>() {})
            .via(v -> {
              Listen listen = listenOf.apply(v);
              return KV.of(StateBuckets.of(listen.userId), PlayOrSkip.play(v, listen.outcomeKey()));
            }))
        .setCoder(kvCoder);
    PCollection<KV<String, PlayOrSkip<V>>> fromSkips = events
        .apply(name + "/OnlySkips", Filter.by(e -> e.eventType().equals("skip")))
        .apply(name + "/KeySkips", MapElements.into(new TypeDescriptor<KV<String, PlayOrSkip<V>>>() {})
            .via(e -> KV.of(StateBuckets.of(e.userId()), PlayOrSkip.<V>skip(Listen.outcomeKey(e.sessionId(), e.itemId())))))
        .setCoder(kvCoder);
    return PCollectionList.of(fromPlays).and(fromSkips)
        .apply(name + "/PlaysAndSkips", Flatten.pCollections())
        .apply(name + "/GlobalWindow", Window.<KV<String, PlayOrSkip<V>>>into(new GlobalWindows()))
        .apply(name + "/MatchPerUser", ParDo.of(new MatchFn<>(playCoder, timeout.getMillis(), flushEvery.getMillis())))
        .setCoder(Labeled.LabeledCoder.of(playCoder));
  }

  /** Either a play waiting for its outcome or a skip, keyed for matching by session and item. */
  static final class PlayOrSkip<V> {
    final V play;
    final String key;

    private PlayOrSkip(V play, String key) {
      this.play = play;
      this.key = key;
    }

    static <V> PlayOrSkip<V> play(V play, String key) {
      return new PlayOrSkip<>(play, key);
    }

    static <V> PlayOrSkip<V> skip(String key) {
      return new PlayOrSkip<>(null, key);
    }
  }

  /** Generic over the value, which a schema cannot be inferred for. */
  static final class PlayOrSkipCoder<V> extends StructuredCoder<PlayOrSkip<V>> {
    private final Coder<V> playCoder;

    PlayOrSkipCoder(Coder<V> playCoder) {
      this.playCoder = playCoder;
    }

    @Override
    public void encode(PlayOrSkip<V> p, OutputStream out) throws IOException {
      ByteCoder.of().encode(p.play == null ? (byte) 0 : (byte) 1, out);
      StringUtf8Coder.of().encode(p.key, out);
      if (p.play != null) {
        playCoder.encode(p.play, out);
      }
    }

    @Override
    public PlayOrSkip<V> decode(InputStream in) throws IOException {
      boolean isPlay = ByteCoder.of().decode(in) == 1;
      String key = StringUtf8Coder.of().decode(in);
      return isPlay ? PlayOrSkip.play(playCoder.decode(in), key) : PlayOrSkip.skip(key);
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(playCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(this, "play", playCoder);
    }
  }

  static final class MatchFn<V> extends DoFn<KV<String, PlayOrSkip<V>>, Labeled<V>> {
    private final long timeoutMillis;
    private final long flushMillis;
    private final Counter skipped = Metrics.counter(NAMESPACE, "labels_skipped");
    private final Counter listened = Metrics.counter(NAMESPACE, "labels_listened");

    /** Waiting plays: (outcome key, play) at the play's timestamp. Appended to, rewritten only when labelling. */
    @StateId("plays")
    private final StateSpec<BagState<TimestampedValue<KV<String, V>>>> playsSpec;

    /** Skips that may still decide a waiting play: (outcome key, skip time). */
    @StateId("skips")
    private final StateSpec<BagState<KV<String, Long>>> skipsSpec =
        StateSpecs.bag(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));

    /** The earliest waiting play's time (the watermark hold) and the earliest deadline. */
    @StateId("bounds")
    private final StateSpec<ValueState<KV<Long, Long>>> boundsSpec =
        StateSpecs.value(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));

    @TimerId("due")
    private final TimerSpec dueSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    MatchFn(Coder<V> playCoder, long timeoutMillis, long flushMillis) {
      this.timeoutMillis = timeoutMillis;
      this.flushMillis = flushMillis;
      this.playsSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(
          KvCoder.of(StringUtf8Coder.of(), playCoder)));
    }

    @ProcessElement
    public void process(@Element KV<String, PlayOrSkip<V>> element, @Timestamp Instant ts,
        @StateId("plays") BagState<TimestampedValue<KV<String, V>>> plays,
        @StateId("skips") BagState<KV<String, Long>> skips,
        @StateId("bounds") ValueState<KV<Long, Long>> bounds,
        @TimerId("due") Timer due) {
      PlayOrSkip<V> e = element.getValue();
      long t = ts.getMillis();

      KV<Long, Long> b = bounds.read();
      long hold = b == null ? Long.MAX_VALUE : b.getKey();
      long deadline = b == null ? Long.MAX_VALUE : b.getValue();
      if (e.play != null) {
        plays.add(TimestampedValue.of(KV.of(e.key, e.play), ts));
        hold = Math.min(hold, t);
      } else {
        skips.add(KV.of(e.key, t));
      }
      deadline = Math.min(deadline, t + timeoutMillis);
      if (b == null || hold != b.getKey() || deadline != b.getValue()) {
        bounds.write(KV.of(hold, deadline));
        setDue(due, hold, deadline);
      }
    }

    /**
     * The watermark has passed {@code now}: every play whose timeout has passed gets its label.
     * Everything that can decide it has arrived by then, so the answer does not depend on arrival
     * order: a skip belongs to the latest play of its session and item at or before it, and a play
     * is skipped when such a skip falls within its timeout.
     */
    @OnTimer("due")
    public void onDue(OnTimerContext c,
        @StateId("plays") BagState<TimestampedValue<KV<String, V>>> playsState,
        @StateId("skips") BagState<KV<String, Long>> skipsState,
        @StateId("bounds") ValueState<KV<Long, Long>> bounds,
        @TimerId("due") Timer due) {
      // Batch: one firing when the input has ended, when every deadline has passed.
      // fireTimestamp: when the timer was due (timestamp() is its output timestamp, the hold).
      long now = flushMillis == 0 ? Long.MAX_VALUE : c.fireTimestamp().getMillis();
      List<TimestampedValue<KV<String, V>>> plays = new ArrayList<>();
      playsState.read().forEach(plays::add);
      List<KV<String, Long>> skips = new ArrayList<>();
      skipsState.read().forEach(skips::add);
      Map<String, List<TimestampedValue<KV<String, V>>>> playsByKey = new HashMap<>();
      for (TimestampedValue<KV<String, V>> p : plays) {
        playsByKey.computeIfAbsent(p.getValue().getKey(), k -> new ArrayList<>()).add(p);
      }
      Map<String, List<Long>> skipsByKey = new HashMap<>();
      for (KV<String, Long> sk : skips) {
        skipsByKey.computeIfAbsent(sk.getKey(), k -> new ArrayList<>()).add(sk.getValue());
      }
      playsState.clear();
      long hold = Long.MAX_VALUE;
      long deadline = Long.MAX_VALUE;
      for (TimestampedValue<KV<String, V>> p : plays) {
        long start = p.getTimestamp().getMillis();
        if (start + timeoutMillis > now) {
          playsState.add(p);
          hold = Math.min(hold, start);
          deadline = Math.min(deadline, start + timeoutMillis);
          continue;
        }
        boolean isSkipped = false;
        List<TimestampedValue<KV<String, V>>> sameKey = playsByKey.get(p.getValue().getKey());
        for (long s : skipsByKey.getOrDefault(p.getValue().getKey(), List.of())) {
          if (s >= start && s <= start + timeoutMillis && !laterPlayClaims(sameKey, p, s)) {
            isSkipped = true;
            break;
          }
        }
        (isSkipped ? skipped : listened).inc();
        c.outputWithTimestamp(new Labeled<>(p.getValue().getValue(), isSkipped), p.getTimestamp());
      }
      skipsState.clear();
      for (KV<String, Long> sk : skips) {
        if (sk.getValue() + timeoutMillis > now) {
          skipsState.add(sk);
          deadline = Math.min(deadline, sk.getValue() + timeoutMillis);
        }
      }
      if (deadline == Long.MAX_VALUE) {
        bounds.clear();
        return;
      }
      bounds.write(KV.of(hold, deadline));
      setDue(due, hold, deadline);
    }

    private void setDue(Timer due, long hold, long deadline) {
      Instant at = flushMillis == 0 ? GlobalWindow.INSTANCE.maxTimestamp()
          : new Instant(Math.floorDiv(deadline + flushMillis - 1, flushMillis) * flushMillis);
      // Hold the watermark at the oldest waiting play, whose label will carry its timestamp.
      due.withOutputTimestamp(hold == Long.MAX_VALUE ? at : new Instant(hold)).set(at);
    }

    /** Whether another play of the same session and item lies after {@code p} and at or before the skip. */
    private static <V> boolean laterPlayClaims(List<TimestampedValue<KV<String, V>>> sameKey,
        TimestampedValue<KV<String, V>> p, long skip) {
      for (TimestampedValue<KV<String, V>> q : sameKey) {
        long t = q.getTimestamp().getMillis();
        if (q != p && t <= skip
            && (t > p.getTimestamp().getMillis() || (t == p.getTimestamp().getMillis() && q.hashCode() > p.hashCode()))) {
          return true;
        }
      }
      return false;
    }

    /** A label goes out at its play's time, which the due timer has been holding. */
    @SuppressWarnings("deprecation")
    @Override
    public Duration getAllowedTimestampSkew() {
      return TimestampSkew.UNLIMITED;
    }
  }
}
