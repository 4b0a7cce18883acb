package dev.meshflow.transforms.recommendations;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.transforms.interactions.DedupeByEventId;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionEventCoder;
import dev.meshflow.transforms.interactions.ParseInteractions;
import dev.meshflow.transforms.interactions.SplitTooLate;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * The recommender's models, learned from every play and skip, the same transforms in batch
 * (backfill from history) and streaming (live); only {@link RecommendationWindowing} and the late
 * split differ. Each output is the serving store's rows for one table of
 * {@link RecommendationTables}, held to the reference model, {@code RecommendationsModel}.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Parse and validate each record; contract breaches become dead letters (stage parse).
 *   <li>Streaming: split off events beyond the allowed lateness (dead letters, stage late).
 *   <li>Deduplicate by event_id; keep plays and skips.
 *   <li>Pair each play with the same user's plays within the session gap, and total the pairs:
 *       co-listening per (item, neighbour).
 *   <li>Total plays per item; count plays per item in trending windows.
 *   <li>Keep each user's latest plays and skipped items.
 *   <li>Count the events learned from and the latest event time: the model's version.
 * </ol>
 */
public final class Recommendations extends PTransform<PCollection<KV<String, byte[]>>, PCollectionTuple> {
  public static final TupleTag<Row> CO_LISTENS = new TupleTag<>() {};
  public static final TupleTag<Row> ITEM_PLAYS = new TupleTag<>() {};
  public static final TupleTag<Row> TRENDING = new TupleTag<>() {};
  public static final TupleTag<Row> USER_HISTORY = new TupleTag<>() {};
  public static final TupleTag<Row> MODEL_STATE = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};
  /** Valid, deduplicated plays by user, for online evaluation; not a table. */
  public static final TupleTag<KV<String, InteractionEvent>> PLAYS = new TupleTag<>() {};

  private final boolean streaming;
  private final Duration allowedLateness;
  private final Duration dedupeWindow;
  private final Duration update;
  /** Versions the running totals' rows from one run to the next (StoreRows.runVersion). */
  private final long runSecond = StoreRows.launchSecond();

  private Recommendations(boolean streaming, Duration allowedLateness, Duration dedupeWindow, Duration update) {
    this.streaming = streaming;
    this.allowedLateness = allowedLateness;
    this.dedupeWindow = dedupeWindow;
    this.update = update;
  }

  public static Recommendations batch() {
    return new Recommendations(false, Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }

  /** @param update how soon after a new event its key's row is written again */
  public static Recommendations streaming(Duration allowedLateness, Duration dedupeWindow, Duration update) {
    return new Recommendations(true, allowedLateness, dedupeWindow, update);
  }

  static boolean isPlay(InteractionEvent e) {
    return "play".equals(e.eventType());
  }

  static boolean isSkip(InteractionEvent e) {
    return "skip".equals(e.eventType());
  }

  /**
   * Users per pairing key: few in batch, so that a runner that gives each key its own bundle
   * (Direct) sees few bundles; many in streaming, for parallelism and small per-key state.
   */
  static final int BATCH_USER_SHARDS = 16;
  static final int STREAMING_USER_SHARDS = 256;

  @Override
  public PCollectionTuple expand(PCollection<KV<String, byte[]>> records) {
    PCollectionTuple parsed = records.apply("Parse", new ParseInteractions(streaming));
    PCollection<InteractionEvent> events = parsed.get(ParseInteractions.EVENTS);
    PCollectionList<DeadLetter> deadLetters = PCollectionList.of(parsed.get(ParseInteractions.DEAD_LETTERS));
    // Lateness is judged on the trending windows, the only windowed result; every other total
    // accepts what this split lets through (PairCoListensFn keeps plays that long).
    Duration lateSplitDeadline = RecommendationWindowing.TRENDING_WINDOW.plus(allowedLateness);
    if (streaming) {
      PCollectionTuple split = events.apply(
          "SplitTooLate", new SplitTooLate(RecommendationWindowing.TRENDING_WINDOW, allowedLateness));
      events = split.get(SplitTooLate.ON_TIME);
      deadLetters = deadLetters.and(split.get(SplitTooLate.TOO_LATE));
    }
    Duration retention = dedupeWindow.isLongerThan(lateSplitDeadline) ? dedupeWindow : lateSplitDeadline;
    PCollection<KV<String, InteractionEvent>> byUser = events
        .apply("KeepUsedFields", MapElements.into(TypeDescriptor.of(InteractionEvent.class))
            .via(InteractionEvent::forTally))
        .setCoder(InteractionEventCoder.of())
        .apply("Deduplicate", streaming ? DedupeByEventId.streaming(retention) : DedupeByEventId.batch())
        .apply("KeepPlaysAndSkips", Filter.by(e -> isPlay(e) || isSkip(e)))
        .apply("KeyByUser", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(InteractionEvent.class)))
            .via(e -> KV.of(e.userId(), e)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), InteractionEventCoder.of()));
    PCollection<KV<String, InteractionEvent>> plays = byUser.apply("KeepPlays", Filter.by(kv -> isPlay(kv.getValue())));

    int userShards = streaming ? STREAMING_USER_SHARDS : BATCH_USER_SHARDS;
    PCollection<Row> coListens = plays
        .apply("ShardUsers", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptor.of(InteractionEvent.class)))
            .via(kv -> KV.of(Math.floorMod(kv.getKey().hashCode(), userShards), kv.getValue())))
        .setCoder(KvCoder.of(VarIntCoder.of(), InteractionEventCoder.of()))
        .apply("PairCoListens", ParDo.of(new PairCoListensFn(
            streaming ? lateSplitDeadline.plus(Duration.millis(RecommenderRules.SESSION_GAP_MILLIS)) : null)))
        .setCoder(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()), VarLongCoder.of()))
        .apply("CoListenTotals", RecommendationWindowing.totals(streaming, update))
        .apply("SumCoListens", SumPerKey.of(streaming))
        .apply("CoListensToRows", ParDo.of(new StoreRows.KeyPairCountFn(RecommendationTables.CO_LISTENS_SCHEMA, runSecond)))
        .setRowSchema(RecommendationTables.CO_LISTENS_SCHEMA);

    PCollection<KV<KV<String, String>, Long>> playedItems = plays
        .apply("ItemAndType", MapElements
            .into(TypeDescriptors.kvs(
                TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()), TypeDescriptors.longs()))
            .via(kv -> KV.of(KV.of(kv.getValue().itemId(), kv.getValue().itemType()), 1L)))
        .setCoder(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()), VarLongCoder.of()));
    PCollection<Row> itemPlays = playedItems
        .apply("PlayTotals", RecommendationWindowing.totals(streaming, update))
        .apply("CountPlays", SumPerKey.of(streaming))
        .apply("ItemPlaysToRows", ParDo.of(new StoreRows.KeyPairCountFn(RecommendationTables.ITEM_PLAYS_SCHEMA, runSecond)))
        .setRowSchema(RecommendationTables.ITEM_PLAYS_SCHEMA);
    PCollection<Row> trending = playedItems
        .apply("TrendingWindows", RecommendationWindowing.trending(streaming, allowedLateness, update))
        .apply("CountTrending", SumPerKey.of(streaming))
        .apply("TrendingToRows", ParDo.of(new StoreRows.TrendingFn()))
        .setRowSchema(RecommendationTables.TRENDING_SCHEMA);

    PCollection<Row> userHistory = byUser
        .apply("HistoryTotals", RecommendationWindowing.totals(streaming, update))
        .apply("KeepUserHistory", Combine.perKey(new UserHistoryFn()))
        .apply("UserHistoryToRows", ParDo.of(new StoreRows.UserHistoryRowFn(runSecond)))
        .setRowSchema(RecommendationTables.USER_HISTORY_SCHEMA);

    PCollection<Row> modelState = byUser
        .apply("EventTimes", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
            .via(kv -> KV.of(RecommendationTables.MODEL, kv.getValue().timestampMillis())))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply("StateTotals", RecommendationWindowing.totals(streaming, update))
        .apply("CountAndLatest", Combine.perKey(new CountAndLatestFn()))
        .apply("ModelStateToRows", ParDo.of(new StoreRows.ModelStateFn(runSecond)))
        .setRowSchema(RecommendationTables.MODEL_STATE_SCHEMA);

    PCollection<DeadLetter> allDeadLetters = deadLetters
        .apply("CollectDeadLetters", Flatten.pCollections())
        .setCoder(DeadLetterCoder.of());
    return PCollectionTuple.of(CO_LISTENS, coListens)
        .and(ITEM_PLAYS, itemPlays)
        .and(TRENDING, trending)
        .and(USER_HISTORY, userHistory)
        .and(MODEL_STATE, modelState)
        .and(PLAYS, plays)
        .and(DEAD_LETTERS, allDeadLetters);
  }
}
