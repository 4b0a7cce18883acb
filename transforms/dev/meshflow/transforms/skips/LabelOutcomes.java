package dev.meshflow.transforms.skips;

import dev.meshflow.transforms.interactions.InteractionEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.beam.sdk.coders.ByteCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
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
 * <p>Per user, one event-time timer at the earliest deadline (one per play would swamp the Direct
 * runner), whose output timestamp holds the watermark at the oldest waiting play: labels go out at
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
   */
  public static <V> PCollection<Labeled<V>> label(String name, PCollection<V> plays,
      SerializableFunction<V, Listen> listenOf, PCollection<InteractionEvent> events, Duration timeout) {
    Coder<V> playCoder = plays.getCoder();
    PlayOrSkipCoder<V> coder = new PlayOrSkipCoder<>(playCoder);
    KvCoder<String, PlayOrSkip<V>> kvCoder = KvCoder.of(StringUtf8Coder.of(), coder);
    PCollection<KV<String, PlayOrSkip<V>>> fromPlays = plays
        .apply(name + "/KeyPlays", MapElements.into(new TypeDescriptor<KV<String, PlayOrSkip<V>>>() {})
            .via(v -> KV.of(listenOf.apply(v).userId, PlayOrSkip.play(v, listenOf.apply(v).outcomeKey()))))
        .setCoder(kvCoder);
    PCollection<KV<String, PlayOrSkip<V>>> fromSkips = events
        .apply(name + "/OnlySkips", Filter.by(e -> e.eventType().equals("skip")))
        .apply(name + "/KeySkips", MapElements.into(new TypeDescriptor<KV<String, PlayOrSkip<V>>>() {})
            .via(e -> KV.of(e.userId(), PlayOrSkip.<V>skip((e.sessionId() == null ? "" : e.sessionId())
                + "|" + e.itemId()))))
        .setCoder(kvCoder);
    return PCollectionList.of(fromPlays).and(fromSkips)
        .apply(name + "/PlaysAndSkips", Flatten.pCollections())
        .apply(name + "/GlobalWindow", Window.<KV<String, PlayOrSkip<V>>>into(new GlobalWindows()))
        .apply(name + "/MatchPerUser", ParDo.of(new MatchFn<>(playCoder, timeout.getMillis())))
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
    private final Counter skipped = Metrics.counter(NAMESPACE, "labels_skipped");
    private final Counter listened = Metrics.counter(NAMESPACE, "labels_listened");

    /** Waiting plays: (outcome key, play) at the play's timestamp. */
    @StateId("plays")
    private final StateSpec<ValueState<List<TimestampedValue<KV<String, V>>>>> playsSpec;

    /** Skips no play has claimed yet: (outcome key, skip time). */
    @StateId("skips")
    private final StateSpec<ValueState<List<KV<String, Long>>>> skipsSpec =
        StateSpecs.value(ListCoder.of(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())));

    @TimerId("due")
    private final TimerSpec dueSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    MatchFn(Coder<V> playCoder, long timeoutMillis) {
      this.timeoutMillis = timeoutMillis;
      this.playsSpec = StateSpecs.value(ListCoder.of(TimestampedValue.TimestampedValueCoder.of(
          KvCoder.of(StringUtf8Coder.of(), playCoder))));
    }

    @ProcessElement
    public void process(@Element KV<String, PlayOrSkip<V>> element, @Timestamp Instant ts,
        @StateId("plays") ValueState<List<TimestampedValue<KV<String, V>>>> playsState,
        @StateId("skips") ValueState<List<KV<String, Long>>> skipsState,
        @TimerId("due") Timer due) {
      List<TimestampedValue<KV<String, V>>> plays = orEmpty(playsState.read());
      List<KV<String, Long>> skips = orEmpty(skipsState.read());
      PlayOrSkip<V> e = element.getValue();
      if (e.play != null) {
        plays.add(TimestampedValue.of(KV.of(e.key, e.play), ts));
      } else {
        skips.add(KV.of(e.key, ts.getMillis()));
      }
      save(plays, skips, playsState, skipsState, due);
    }

    /**
     * The watermark has passed {@code now}: every play whose timeout has passed gets its label.
     * Everything that can decide it has arrived by then, so the answer does not depend on arrival
     * order: a skip belongs to the latest play of its session and item at or before it, and a play
     * is skipped when such a skip falls within its timeout.
     */
    @OnTimer("due")
    public void onDue(OnTimerContext c,
        @StateId("plays") ValueState<List<TimestampedValue<KV<String, V>>>> playsState,
        @StateId("skips") ValueState<List<KV<String, Long>>> skipsState,
        @TimerId("due") Timer due) {
      long now = c.timestamp().getMillis();
      List<TimestampedValue<KV<String, V>>> plays = orEmpty(playsState.read());
      List<KV<String, Long>> skips = orEmpty(skipsState.read());
      List<TimestampedValue<KV<String, V>>> remaining = new ArrayList<>();
      for (TimestampedValue<KV<String, V>> p : plays) {
        long start = p.getTimestamp().getMillis();
        if (start + timeoutMillis > now) {
          remaining.add(p);
          continue;
        }
        boolean isSkipped = false;
        for (KV<String, Long> s : skips) {
          if (s.getKey().equals(p.getValue().getKey()) && s.getValue() >= start
              && s.getValue() <= start + timeoutMillis && !laterPlayClaims(plays, p, s)) {
            isSkipped = true;
            break;
          }
        }
        (isSkipped ? skipped : listened).inc();
        c.outputWithTimestamp(new Labeled<>(p.getValue().getValue(), isSkipped), p.getTimestamp());
      }
      skips.removeIf(s -> s.getValue() + timeoutMillis <= now);
      save(remaining, skips, playsState, skipsState, due);
    }

    /** Whether another play of the same session and item lies after {@code p} and at or before the skip. */
    private static <V> boolean laterPlayClaims(List<TimestampedValue<KV<String, V>>> plays,
        TimestampedValue<KV<String, V>> p, KV<String, Long> skip) {
      for (TimestampedValue<KV<String, V>> q : plays) {
        long t = q.getTimestamp().getMillis();
        if (q != p && q.getValue().getKey().equals(skip.getKey()) && t <= skip.getValue()
            && (t > p.getTimestamp().getMillis() || (t == p.getTimestamp().getMillis() && q.hashCode() > p.hashCode()))) {
          return true;
        }
      }
      return false;
    }

    private void save(List<TimestampedValue<KV<String, V>>> plays, List<KV<String, Long>> skips,
        ValueState<List<TimestampedValue<KV<String, V>>>> playsState,
        ValueState<List<KV<String, Long>>> skipsState, Timer due) {
      if (plays.isEmpty() && skips.isEmpty()) {
        playsState.clear();
        skipsState.clear();
        due.clear();
        return;
      }
      playsState.write(plays);
      skipsState.write(skips);
      long next = Long.MAX_VALUE;
      long hold = Long.MAX_VALUE;
      for (TimestampedValue<KV<String, V>> p : plays) {
        next = Math.min(next, p.getTimestamp().getMillis() + timeoutMillis);
        hold = Math.min(hold, p.getTimestamp().getMillis());
      }
      for (KV<String, Long> s : skips) {
        next = Math.min(next, s.getValue() + timeoutMillis);
      }
      // Hold the watermark at the oldest waiting play, whose label will carry its timestamp.
      due.withOutputTimestamp(new Instant(hold == Long.MAX_VALUE ? next : hold)).set(new Instant(next));
    }

    private static <T> List<T> orEmpty(List<T> list) {
      return list == null ? new ArrayList<>() : new ArrayList<>(list);
    }

    /** A label goes out at its play's time, which the due timer has been holding. */
    @SuppressWarnings("deprecation")
    @Override
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE);
    }
  }
}
