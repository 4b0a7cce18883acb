package dev.meshflow.transforms.recommendations.online;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.transforms.recommendations.RecommenderRules.Play;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
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
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Per shard of users: keeps the lists served to them and their plays, and judges each list once
 * the watermark passes its window plus the allowed lateness, so a late play within the lateness
 * still counts and a replay gives the batch answer. Batch judges every list once, at the end.
 *
 * <p>Streaming keeps a play for the window plus the lateness after its time. Wake-up times are
 * rounded up to a quarter of that, so a shard wakes a few times a window, not once per play or
 * list (the Direct runner pays for each firing; shards, not users, for the same reason). A list
 * that arrives once plays after its time have been dropped cannot be judged exactly: it is a dead
 * letter (stage late). A judged list's id is kept as long, so that a list read twice counts once.
 */
final class JudgeServedListsFn extends DoFn<KV<Integer, KV<String, UserSignal>>, Row> {
  private final boolean streaming;
  private final long windowMillis;
  private final long retentionMillis;
  private final long roundingMillis;
  private final TupleTag<DeadLetter> deadLetters;

  private final RunMetrics.StageCounter judged = RunMetrics.counter(RunMetrics.VALID);
  private final RunMetrics.StageCounter duplicates = RunMetrics.counter(RunMetrics.DUPLICATES);
  private final RunMetrics.StageCounter late = RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.LATE);
  private final RunMetrics.StageCounter hits = RunMetrics.counter(OnlineEvaluation.HITS);
  private final RunMetrics.StageCounter listsJudged = RunMetrics.counter(OnlineEvaluation.JUDGED);

  @StateId("plays")
  private final StateSpec<BagState<KV<String, Play>>> playsSpec =
      StateSpecs.bag(KvCoder.of(StringUtf8Coder.of(), UserSignal.PlayCoder.INSTANCE));

  /** Each list served, and whether it has been judged. */
  @StateId("lists")
  private final StateSpec<BagState<KV<ServedList, Boolean>>> listsSpec =
      StateSpecs.bag(KvCoder.of(ServedList.Coder.of(), BooleanCoder.of()));

  /** When the timer is set for; null if it is not. */
  @StateId("wakeAt")
  private final StateSpec<ValueState<Long>> wakeAtSpec = StateSpecs.value(VarLongCoder.of());

  /** The latest time of a play dropped; a list served before it can no longer be judged. */
  @StateId("droppedThrough")
  private final StateSpec<ValueState<Long>> droppedSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("wake")
  private final TimerSpec wakeSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  JudgeServedListsFn(boolean streaming, long windowMillis, long allowedLatenessMillis,
      TupleTag<DeadLetter> deadLetters) {
    this.streaming = streaming;
    this.windowMillis = windowMillis;
    this.retentionMillis = windowMillis + allowedLatenessMillis;
    this.roundingMillis = Math.max(1000, retentionMillis / 4);
    this.deadLetters = deadLetters;
  }

  @ProcessElement
  public void process(@Element KV<Integer, KV<String, UserSignal>> element, @Timestamp Instant timestamp,
      @StateId("plays") BagState<KV<String, Play>> plays, @StateId("lists") BagState<KV<ServedList, Boolean>> lists,
      @StateId("wakeAt") ValueState<Long> wakeAt, @TimerId("wake") Timer wake) {
    UserSignal signal = element.getValue().getValue();
    if (signal.play() != null) {
      plays.add(KV.of(element.getValue().getKey(), signal.play()));
      wakeBy(roundUp(signal.play().timeMillis() + retentionMillis), timestamp, wakeAt, wake);
      return;
    }
    ServedList list = signal.served();
    for (KV<ServedList, Boolean> known : lists.read()) {
      if (known.getKey().servedId().equals(list.servedId())) {
        duplicates.inc();
        return;
      }
    }
    lists.add(KV.of(list, false));
    wakeBy(roundUp(list.servedAtMillis() + retentionMillis), timestamp, wakeAt, wake);
  }

  @OnTimer("wake")
  public void onWake(OnTimerContext context, @StateId("plays") BagState<KV<String, Play>> plays,
      @StateId("lists") BagState<KV<ServedList, Boolean>> lists, @StateId("wakeAt") ValueState<Long> wakeAt,
      @StateId("droppedThrough") ValueState<Long> droppedThrough, @TimerId("wake") Timer wake) {
    long now = streaming ? context.timestamp().getMillis() : Long.MAX_VALUE;
    Map<String, List<Play>> byUser = new HashMap<>();
    List<KV<String, Play>> allPlays = new ArrayList<>();
    for (KV<String, Play> p : plays.read()) {
      allPlays.add(p);
      byUser.computeIfAbsent(p.getKey(), u -> new ArrayList<>()).add(p.getValue());
    }
    Long dropped = droppedThrough.read();
    long next = Long.MAX_VALUE;

    List<KV<ServedList, Boolean>> kept = new ArrayList<>();
    boolean listsChanged = false;
    for (KV<ServedList, Boolean> entry : lists.read()) {
      ServedList list = entry.getKey();
      boolean done = entry.getValue();
      long due = roundUp(list.servedAtMillis() + retentionMillis);
      if (!done && due <= now) {
        judge(context, list, byUser.getOrDefault(list.userId(), List.of()), dropped);
        done = true;
        listsChanged = true;
      }
      // A judged list's id is kept a while longer, to know it again if it is read twice.
      long forget = roundUp(due + retentionMillis);
      if (done && forget <= now) {
        listsChanged = true;
        continue;
      }
      kept.add(KV.of(list, done));
      next = Math.min(next, done ? forget : due);
    }
    if (listsChanged) {
      lists.clear();
      kept.forEach(lists::add);
    }

    List<KV<String, Play>> keptPlays = new ArrayList<>();
    for (KV<String, Play> p : allPlays) {
      long expiry = roundUp(p.getValue().timeMillis() + retentionMillis);
      if (expiry <= now) {
        dropped = dropped == null ? p.getValue().timeMillis() : Math.max(dropped, p.getValue().timeMillis());
      } else {
        keptPlays.add(p);
        next = Math.min(next, expiry);
      }
    }
    if (keptPlays.size() < allPlays.size()) {
      plays.clear();
      keptPlays.forEach(plays::add);
      droppedThrough.write(dropped);
    }
    if (next == Long.MAX_VALUE) {
      wakeAt.clear();
    } else {
      wake.set(new Instant(next));
      wakeAt.write(next);
    }
  }

  private void judge(OnTimerContext context, ServedList list, List<Play> userPlays, Long dropped) {
    if (dropped != null && dropped > list.servedAtMillis()) {
      late.inc();
      context.output(deadLetters, new DeadLetter(Stages.LATE, "served list arrived after the plays that judge it"
          + " were dropped (its evaluation window plus the allowed lateness had passed)",
          list.userId(), list.payload(), list.servedAtMillis(), System.currentTimeMillis()));
      return;
    }
    Verdict verdict = Verdict.of(list, userPlays, windowMillis);
    judged.inc();
    listsJudged.inc();
    if (verdict.hit()) {
      hits.inc();
    }
    context.output(verdict.toRow());
  }

  /**
   * Sets the timer to {@code at} unless it is already set earlier (never before the element).
   * Batch wakes once, at the end, with every list and play in hand.
   */
  private void wakeBy(long at, Instant timestamp, ValueState<Long> wakeAt, Timer wake) {
    long time = streaming ? Math.max(at, timestamp.getMillis()) : GlobalWindow.INSTANCE.maxTimestamp().getMillis();
    Long current = wakeAt.read();
    if (current == null || time < current) {
      wake.set(new Instant(time));
      wakeAt.write(time);
    }
  }

  private long roundUp(long millis) {
    return Math.floorDiv(millis + roundingMillis - 1, roundingMillis) * roundingMillis;
  }
}
