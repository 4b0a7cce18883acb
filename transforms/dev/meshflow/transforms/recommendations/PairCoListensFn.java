package dev.meshflow.transforms.recommendations;

import dev.meshflow.transforms.interactions.InteractionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Pairs each play with the same user's other plays within the session gap, in either direction,
 * and emits 1 for each co-listened (item, neighbour), both ways. Each pair of plays is counted
 * once, by whichever arrives second, so the totals do not depend on arrival order.
 *
 * <p>The key is a shard of users, not a user: a runner that handles each key as its own bundle
 * (the DirectRunner) then handles a few large bundles instead of one per user, and every later
 * step sees few bundles too. The state keeps each user's plays in buckets one gap wide, so that a
 * play reads three buckets of its own user.
 *
 * <p>Streaming forgets a bucket once the watermark is past its end by the gap, the allowed
 * lateness and a trending window (the late split's own deadline): no play the late split lets
 * through can still pair with it. One cleanup timer per shard walks the buckets; it holds no
 * watermark back.
 */
final class PairCoListensFn extends DoFn<KV<Integer, InteractionEvent>, KV<KV<String, String>, Long>> {
  private static final long GAP = RecommenderRules.SESSION_GAP_MILLIS;

  /** (user, bucket) to that user's plays in the bucket: (item, time). */
  @StateId("buckets")
  private final StateSpec<MapState<KV<String, Long>, List<KV<String, Long>>>> bucketsSpec = StateSpecs.map(
      KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()),
      ListCoder.of(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())));

  @StateId("cleanupAt")
  private final StateSpec<ValueState<Long>> cleanupAtSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("cleanup")
  private final TimerSpec cleanupSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  /** How long after a bucket's end its plays are forgotten; null: never (batch). */
  private final Long forgetAfterMillis;

  PairCoListensFn(Duration forgetAfter) {
    this.forgetAfterMillis = forgetAfter == null ? null : forgetAfter.getMillis();
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, InteractionEvent> play,
      @StateId("buckets") MapState<KV<String, Long>, List<KV<String, Long>>> buckets,
      @StateId("cleanupAt") ValueState<Long> cleanupAt,
      @TimerId("cleanup") Timer cleanup,
      OutputReceiver<KV<KV<String, String>, Long>> out) {
    String user = play.getValue().userId();
    String item = play.getValue().itemId();
    long time = play.getValue().timestampMillis();
    long bucket = Math.floorDiv(time, GAP);
    List<KV<String, Long>> own = null;
    for (long b = bucket - 1; b <= bucket + 1; b++) {
      List<KV<String, Long>> plays = buckets.get(KV.of(user, b)).read();
      if (plays == null) {
        continue;
      }
      if (b == bucket) {
        own = plays;
      }
      for (KV<String, Long> other : plays) {
        if (Math.abs(time - other.getValue()) <= GAP && !other.getKey().equals(item)) {
          out.output(KV.of(KV.of(other.getKey(), item), 1L));
          out.output(KV.of(KV.of(item, other.getKey()), 1L));
        }
      }
    }
    List<KV<String, Long>> updated = own == null ? new ArrayList<>() : new ArrayList<>(own);
    updated.add(KV.of(item, time));
    buckets.put(KV.of(user, bucket), updated);
    if (forgetAfterMillis != null && cleanupAt.read() == null) {
      long at = forgetTime(bucket);
      cleanupAt.write(at);
      cleanup.withNoOutputTimestamp().set(new Instant(at));
    }
  }

  /** When a bucket's plays can no longer pair with a play the late split lets through. */
  private long forgetTime(long bucket) {
    return (bucket + 1) * GAP + forgetAfterMillis;
  }

  @OnTimer("cleanup")
  public void cleanup(
      OnTimerContext context,
      @StateId("buckets") MapState<KV<String, Long>, List<KV<String, Long>>> buckets,
      @StateId("cleanupAt") ValueState<Long> cleanupAt,
      @TimerId("cleanup") Timer cleanup) {
    long now = context.timestamp().getMillis();
    List<KV<String, Long>> expired = new ArrayList<>();
    Long oldestKept = null;
    for (Map.Entry<KV<String, Long>, List<KV<String, Long>>> e : buckets.entries().read()) {
      long bucket = e.getKey().getValue();
      if (forgetTime(bucket) <= now) {
        expired.add(e.getKey());
      } else if (oldestKept == null || bucket < oldestKept) {
        oldestKept = bucket;
      }
    }
    expired.forEach(buckets::remove);
    if (oldestKept == null) {
      cleanupAt.clear();
    } else {
      long at = forgetTime(oldestKept);
      cleanupAt.write(at);
      cleanup.withNoOutputTimestamp().set(new Instant(at));
    }
  }
}
