package dev.meshflow.transforms.interactions;

import dev.meshflow.core.RunMetrics;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Keeps one event per {@code event_id} and counts the rest as duplicates.
 *
 * <ul>
 *   <li>Batch: a combine keeps, per event_id, the occurrence with the smallest origin, so the
 *       result is deterministic whatever the runner's order. Ids are combined in 128 hash buckets
 *       (the Direct runner pays about a millisecond per key group: a key per id took minutes, and
 *       1024 buckets cost the default job 15 s more than 128); combiner lifting removes most
 *       duplicates before the shuffle. The picks leave each bucket in event-time order.
 *   <li>Streaming: the first arrival wins. Ids live in 256 hash buckets, each a map of id to expiry
 *       swept by one event-time timer, so state and timer count stay bounded in an endless stream.
 *       (One timer per id would be simpler, but it swamps the Direct runner's timer bookkeeping.)
 * </ul>
 */
public final class DedupeByEventId
    extends PTransform<PCollection<InteractionEvent>, PCollection<InteractionEvent>> {
  private static final int BUCKETS = 256;
  private static final int BATCH_BUCKETS = 128;
  private static final long MINUTE_MILLIS = 60_000;

  private final Duration retention;
  private final boolean streaming;

  private DedupeByEventId(Duration retention, boolean streaming) {
    this.retention = retention;
    this.streaming = streaming;
  }

  public static DedupeByEventId batch() {
    return new DedupeByEventId(Duration.ZERO, false);
  }

  /** @param retention how long after an event (in event time) its id is remembered */
  public static DedupeByEventId streaming(Duration retention) {
    return new DedupeByEventId(retention, true);
  }

  @Override
  public PCollection<InteractionEvent> expand(PCollection<InteractionEvent> events) {
    return streaming ? expandStreaming(events) : expandBatch(events);
  }

  private static PCollection<KV<Integer, InteractionEvent>> keyByIdBucket(
      PCollection<InteractionEvent> events, SerializableFunction<String, Integer> bucketOfId) {
    return events
        .apply("KeyByIdBucket", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.integers(), events.getTypeDescriptor()))
            .via(e -> KV.of(bucketOfId.apply(e.eventId()), e)))
        .setCoder(KvCoder.of(VarIntCoder.of(), InteractionEventCoder.of()));
  }

  /**
   * Batch buckets by a mixed hash of the id. By {@code String.hashCode} modulo the bucket count,
   * sequential ids ({@code ev-42-1}, {@code ev-42-2}, …) filled buckets unevenly (38,000 to 120,000
   * ids of 10M) and, sharing their low bits, collided in each bucket's hash map; the mix evens both.
   * Streaming keeps the plain hash: its buckets key state that a savepoint carries over.
   */
  static int batchBucket(String eventId) {
    int h = eventId.hashCode();
    h ^= h >>> 16;  // MurmurHash3's 32-bit finaliser
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, BATCH_BUCKETS);
  }

  private static int streamingBucket(String eventId) {
    return Math.floorMod(eventId.hashCode(), BUCKETS);
  }

  private PCollection<InteractionEvent> expandBatch(PCollection<InteractionEvent> events) {
    return keyByIdBucket(events, DedupeByEventId::batchBucket)
        // Without this the combined output would be stamped at the end of the global window, and
        // the re-stamped events would arrive behind the watermark and be dropped as late.
        .apply("HoldWatermarkAtEarliest",
            Window.<KV<Integer, InteractionEvent>>configure()
                .withTimestampCombiner(TimestampCombiner.EARLIEST))
        .apply("PickOnePerId", Combine.perKey(new PickPerIdFn()))
        .apply("EmitAndCountDuplicates", ParDo.of(new EmitPicksFn()))
        .setCoder(InteractionEventCoder.of());
  }

  private PCollection<InteractionEvent> expandStreaming(PCollection<InteractionEvent> events) {
    return keyByIdBucket(events, DedupeByEventId::streamingBucket)
        .apply("KeepFirstArrival", ParDo.of(new KeepFirstFn(retention)))
        .setCoder(InteractionEventCoder.of());
  }

  /** The chosen occurrence and how many occurrences there were. */
  static final class Pick {
    InteractionEvent event;
    long occurrences;
  }

  static final class PickCoder extends org.apache.beam.sdk.coders.CustomCoder<Pick> {
    private static final Coder<InteractionEvent> EVENT = NullableCoder.of(InteractionEventCoder.of());

    @Override
    public void encode(Pick p, java.io.OutputStream out) throws java.io.IOException {
      EVENT.encode(p.event, out);
      VarLongCoder.of().encode(p.occurrences, out);
    }

    @Override
    public Pick decode(java.io.InputStream in) throws java.io.IOException {
      Pick p = new Pick();
      p.event = EVENT.decode(in);
      p.occurrences = VarLongCoder.of().decode(in);
      return p;
    }
  }

  /** Per bucket: event_id to its chosen occurrence (smallest origin) and occurrence count. */
  static final class PickPerIdFn
      extends Combine.CombineFn<InteractionEvent, Map<String, Pick>, Map<String, Pick>> {
    @Override
    public Map<String, Pick> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, Pick> addInput(Map<String, Pick> picks, InteractionEvent e) {
      Pick p = picks.computeIfAbsent(e.eventId(), k -> new Pick());
      if (p.event == null || e.origin().compareTo(p.event.origin()) < 0) {
        p.event = e;
      }
      p.occurrences++;
      return picks;
    }

    @Override
    public Map<String, Pick> mergeAccumulators(Iterable<Map<String, Pick>> all) {
      Map<String, Pick> merged = null;
      for (Map<String, Pick> picks : all) {
        if (merged == null) {
          merged = picks;
          continue;
        }
        for (Map.Entry<String, Pick> entry : picks.entrySet()) {
          Pick other = entry.getValue();
          merged.merge(entry.getKey(), other, (a, b) -> {
            if (b.event.origin().compareTo(a.event.origin()) < 0) {
              a.event = b.event;
            }
            a.occurrences += b.occurrences;
            return a;
          });
        }
      }
      return merged == null ? new HashMap<>() : merged;
    }

    @Override
    public Map<String, Pick> extractOutput(Map<String, Pick> picks) {
      return picks;
    }

    @Override
    public Coder<Map<String, Pick>> getAccumulatorCoder(CoderRegistry r, Coder<InteractionEvent> in)
        throws CannotProvideCoderException {
      return MapCoder.of(StringUtf8Coder.of(), new PickCoder());
    }

    @Override
    public Coder<Map<String, Pick>> getDefaultOutputCoder(
        CoderRegistry r, Coder<InteractionEvent> in) {
      return MapCoder.of(StringUtf8Coder.of(), new PickCoder());
    }
  }

  private static final class EmitPicksFn
      extends DoFn<KV<Integer, Map<String, Pick>>, InteractionEvent> {
    private final RunMetrics.StageCounter valid = RunMetrics.counter(RunMetrics.VALID);
    private final RunMetrics.StageCounter duplicates = RunMetrics.counter(RunMetrics.DUPLICATES);

    /**
     * Emits a bucket's picks in event-time order ({@link #minuteOrder}). Counts the picks,
     * duplicates and event-time range locally and reports them once per bucket: a metric update
     * per event showed as 4 % of a 10M-event FlinkRunner profile (docs/benchmarks.md), and a
     * bucket is small enough that progress still moves smoothly.
     */
    @ProcessElement
    public void process(
        @Element KV<Integer, Map<String, Pick>> bucket, OutputReceiver<InteractionEvent> out) {
      Pick[] all = bucket.getValue().values().toArray(new Pick[0]);
      long[] order = minuteOrder(all);
      long picks = 0;
      long extraOccurrences = 0;
      long oldest = Long.MAX_VALUE;
      long newest = Long.MIN_VALUE;
      for (long packed : order) {
        Pick p = all[(int) packed];
        long time = p.event.timestampMillis();
        picks++;
        extraOccurrences += p.occurrences - 1;
        oldest = Math.min(oldest, time);
        newest = Math.max(newest, time);
        // Restore each event's own time for windowing (never earlier than the bucket's hold).
        out.outputWithTimestamp(p.event, new Instant(time));
      }
      if (picks > 0) {
        valid.inc(picks);
        duplicates.inc(extraOccurrences);
        RunMetrics.noteEventTime(oldest);
        RunMetrics.noteEventTime(newest);
      }
    }
  }

  /**
   * The picks' positions in event-time order, to the minute, each in the low 32 bits of a packed
   * key: a bucket's ids span every minute of the input, and emitted in hash order each event sent
   * the in-memory tally downstream to a different window's tallies, out of the CPU's caches
   * (docs/benchmarks.md). Positions as they are when the minutes span more than 2^31.
   */
  static long[] minuteOrder(Pick[] picks) {
    long[] keys = new long[picks.length];
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (int i = 0; i < picks.length; i++) {
      long minute = Math.floorDiv(picks[i].event.timestampMillis(), MINUTE_MILLIS);
      keys[i] = minute;
      first = Math.min(first, minute);
      last = Math.max(last, minute);
    }
    boolean sortable = picks.length > 0 && last - first < Integer.MAX_VALUE;
    for (int i = 0; i < picks.length; i++) {
      keys[i] = sortable ? (keys[i] - first) << 32 | i : i;
    }
    if (sortable) {
      Arrays.sort(keys);
    }
    return keys;
  }

  private static final class KeepFirstFn extends DoFn<KV<Integer, InteractionEvent>, InteractionEvent> {
    private static final long SWEEP_MILLIS = 60_000;
    private final long retentionMillis;
    private final RunMetrics.StageCounter valid = RunMetrics.counter(RunMetrics.VALID);
    private final RunMetrics.StageCounter duplicates = RunMetrics.counter(RunMetrics.DUPLICATES);

    @StateId("expiries")
    private final StateSpec<MapState<String, Long>> expiriesSpec =
        StateSpecs.map(StringUtf8Coder.of(), VarLongCoder.of());

    @StateId("nextSweep")
    private final StateSpec<ValueState<Long>> nextSweepSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("sweep")
    private final TimerSpec sweepSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    KeepFirstFn(Duration retention) {
      this.retentionMillis = retention.getMillis();
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, InteractionEvent> element,
        @StateId("expiries") MapState<String, Long> expiries,
        @StateId("nextSweep") ValueState<Long> nextSweep,
        @TimerId("sweep") Timer sweep,
        OutputReceiver<InteractionEvent> out) {
      InteractionEvent e = element.getValue();
      Long expiry = expiries.get(e.eventId()).read();
      if (expiry != null && expiry > e.timestampMillis()) {
        duplicates.inc();
        return;
      }
      long newExpiry = e.timestampMillis() + retentionMillis;
      expiries.put(e.eventId(), newExpiry);
      Long armed = nextSweep.read();
      if (armed == null || newExpiry < armed) {
        sweep.withNoOutputTimestamp().set(new Instant(newExpiry));
        nextSweep.write(newExpiry);
      }
      valid.inc();
      RunMetrics.noteEventTime(e.timestampMillis());
      out.output(e);
    }

    @OnTimer("sweep")
    public void onSweep(
        OnTimerContext context,
        @StateId("expiries") MapState<String, Long> expiries,
        @StateId("nextSweep") ValueState<Long> nextSweep,
        @TimerId("sweep") Timer sweep) {
      long now = context.fireTimestamp().getMillis();
      Long earliestLeft = null;
      for (java.util.Map.Entry<String, Long> entry : expiries.entries().read()) {
        if (entry.getValue() <= now) {
          expiries.remove(entry.getKey());
        } else if (earliestLeft == null || entry.getValue() < earliestLeft) {
          earliestLeft = entry.getValue();
        }
      }
      if (earliestLeft == null) {
        nextSweep.clear();
      } else {
        // Sweep at most once a minute of event time, but never before something can expire.
        long next = Math.max(earliestLeft, now + SWEEP_MILLIS);
        sweep.withNoOutputTimestamp().set(new Instant(next));
        nextSweep.write(next);
      }
    }
  }
}
