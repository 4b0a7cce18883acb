package dev.meshflow.transforms.recommendations.online;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import dev.meshflow.transforms.recommendations.RecommenderRules.Play;
import dev.meshflow.transforms.timestamps.TimestampSkew;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
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
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Online evaluation, as Gorse does it: each list the API served (its served-lists log) is judged
 * by what the user played next. A list is a hit if one of its items is among the user's next
 * {@code RecommenderRules.EVALUATION_PLAYS} plays within {@code window} of being served. The same
 * transform in batch and streaming; held to {@code OnlineEvaluationModel}.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Parse each served-lists record; a malformed one is a dead letter (stage parse).
 *   <li>Key served lists and plays by user.
 *   <li>Judge each list once the watermark passes its window plus the allowed lateness
 *       ({@link JudgeServedListsFn}): one row of {@code rec_online_evaluation} per list.
 * </ol>
 *
 * <p>Input: {@link #SERVED_RECORDS} (the log's records) and {@link #PLAYS} (deduplicated plays by
 * user, as {@code Recommendations} emits them). Output: {@link #VERDICTS} and {@link #DEAD_LETTERS}.
 */
public final class OnlineEvaluation extends PTransform<PCollectionTuple, PCollectionTuple> {
  public static final TupleTag<KV<String, byte[]>> SERVED_RECORDS = new TupleTag<>() {};
  public static final TupleTag<KV<String, InteractionEvent>> PLAYS = new TupleTag<>() {};
  public static final TupleTag<Row> VERDICTS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /** Counters: served lists judged, and those that were hits. */
  public static final String JUDGED = "served_lists_judged";
  public static final String HITS = "served_lists_hit";

  /** Users per judging key: few, because the Direct runner pays for each key's bundle and firing. */
  static final int BATCH_SHARDS = 16;
  static final int STREAMING_SHARDS = 32;

  private final boolean streaming;
  private final Duration window;
  private final Duration allowedLateness;

  private OnlineEvaluation(boolean streaming, Duration window, Duration allowedLateness) {
    this.streaming = streaming;
    this.window = window;
    this.allowedLateness = allowedLateness;
  }

  public static OnlineEvaluation batch(Duration window) {
    return new OnlineEvaluation(false, window, Duration.ZERO);
  }

  public static OnlineEvaluation streaming(Duration window, Duration allowedLateness) {
    return new OnlineEvaluation(true, window, allowedLateness);
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple input) {
    PCollectionTuple parsed = input.get(SERVED_RECORDS).apply("ParseServedLists",
        ParDo.of(new ParseFn()).withOutputTags(ParseFn.SERVED,
            TupleTagList.of(DEAD_LETTERS)));
    PCollection<KV<String, UserSignal>> served = parsed.get(ParseFn.SERVED)
        .setCoder(KvCoder.of(StringUtf8Coder.of(), UserSignal.Coder.INSTANCE));
    PCollection<KV<String, UserSignal>> plays = input.get(PLAYS)
        .apply("PlaysAsSignals", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(UserSignal.class)))
            .via(kv -> KV.of(kv.getKey(),
                UserSignal.play(new Play(kv.getValue().itemId(), kv.getValue().timestampMillis())))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), UserSignal.Coder.INSTANCE));
    int shards = streaming ? STREAMING_SHARDS : BATCH_SHARDS;
    PCollectionTuple judged = PCollectionList.of(served).and(plays)
        .apply("ServedListsAndPlays", Flatten.pCollections())
        .apply("ShardUsers", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.integers(),
                TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(UserSignal.class))))
            .via(kv -> KV.of(Math.floorMod(kv.getKey().hashCode(), shards), kv)))
        .setCoder(KvCoder.of(VarIntCoder.of(), KvCoder.of(StringUtf8Coder.of(), UserSignal.Coder.INSTANCE)))
        .apply("JudgeServedLists", ParDo.of(new JudgeServedListsFn(streaming, window.getMillis(),
            allowedLateness.getMillis(), DEAD_LETTERS)).withOutputTags(VERDICTS, TupleTagList.of(DEAD_LETTERS)));
    judged.get(VERDICTS).setRowSchema(RecommendationTables.ONLINE_EVALUATION_SCHEMA);
    judged.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    PCollection<DeadLetter> deadLetters = PCollectionList.of(parsed.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of()))
        .and(judged.get(DEAD_LETTERS))
        .apply("CollectDeadLetters", Flatten.pCollections())
        .setCoder(DeadLetterCoder.of());
    return PCollectionTuple.of(VERDICTS, judged.get(VERDICTS)).and(DEAD_LETTERS, deadLetters);
  }

  /** A served-lists record as a signal keyed by its user, stamped with the time it was served. */
  private static final class ParseFn extends DoFn<KV<String, byte[]>, KV<String, UserSignal>> {
    static final TupleTag<KV<String, UserSignal>> SERVED = new TupleTag<>() {};
    private final RunMetrics.StageCounter read = RunMetrics.counter(RunMetrics.READ);
    private final RunMetrics.StageCounter dead = RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.PARSE);

    @ProcessElement
    public void process(@Element KV<String, byte[]> record, MultiOutputReceiver out) {
      read.inc();
      byte[] payload = record.getValue() == null ? new byte[0] : record.getValue();
      try {
        ServedList list = ServedList.parse(payload);
        out.get(SERVED).outputWithTimestamp(KV.of(list.userId(), UserSignal.served(list)),
            new Instant(list.servedAtMillis()));
      } catch (IllegalArgumentException malformed) {
        dead.inc();
        out.get(DEAD_LETTERS).output(new DeadLetter(Stages.PARSE, "served list: " + malformed.getMessage(),
            record.getKey() == null ? "served-lists" : record.getKey(), payload, null, System.currentTimeMillis()));
      }
    }

    // The time served comes from the record and may precede the time its source stamped.
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return TimestampSkew.UNLIMITED;
    }
  }
}
