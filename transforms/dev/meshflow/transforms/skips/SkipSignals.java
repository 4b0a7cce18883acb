package dev.meshflow.transforms.skips;

import dev.meshflow.options.RunMetrics;
import dev.meshflow.transforms.deadletter.DeadLetter;
import dev.meshflow.transforms.deadletter.DeadLetterCoder;
import dev.meshflow.transforms.deadletter.Stages;
import dev.meshflow.transforms.interactions.DedupeByEventId;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionEventCoder;
import dev.meshflow.transforms.interactions.ParseInteractions;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * From raw interaction records to what the skip models need, the same in training and scoring and
 * in batch and streaming (only the flush interval differs).
 *
 * <p>Steps: parse (bad records are dead letters); deduplicate by event id; per user, in event-time
 * order, turn each play into a {@link Listen} with its features ({@link ListenFeaturesStep}); an
 * event too late to put in order is a dead letter (stage late).
 */
public final class SkipSignals extends PTransform<PCollection<KV<String, byte[]>>, PCollectionTuple> {
  /** Unique, valid events: the skips among them are the outcomes. */
  public static final TupleTag<InteractionEvent> EVENTS = new TupleTag<>() {};
  public static final TupleTag<Listen> LISTENS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  private final boolean streaming;
  private final Duration dedupeRetention;
  private final Duration flushEvery;

  private SkipSignals(boolean streaming, Duration dedupeRetention, Duration flushEvery) {
    this.streaming = streaming;
    this.dedupeRetention = dedupeRetention;
    this.flushEvery = flushEvery;
  }

  public static SkipSignals batch() {
    return new SkipSignals(false, Duration.ZERO, Duration.ZERO);
  }

  /** @param flushEvery how often (event time) each user's waiting events are put in order */
  public static SkipSignals streaming(Duration dedupeRetention, Duration flushEvery) {
    return new SkipSignals(true, dedupeRetention, flushEvery);
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, byte[]>> records) {
    // Payloads ride along only where an event can still become a dead letter: too late, in streaming.
    PCollectionTuple parsed = records.apply("Parse", new ParseInteractions(streaming));
    PCollection<InteractionEvent> events = parsed.get(ParseInteractions.EVENTS)
        .apply("Deduplicate", streaming ? DedupeByEventId.streaming(dedupeRetention) : DedupeByEventId.batch());
    ListenFeaturesStep step = new ListenFeaturesStep();
    OrderedPerKey<InteractionEvent, UserHistory.Bucket, Listen> ordered = streaming
        ? OrderedPerKey.every(flushEvery, step, ListenCoder.of())
        : OrderedPerKey.atEnd(step, ListenCoder.of());
    PCollectionTuple stepped = events
        .apply("KeyByUserBucket", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
                org.apache.beam.sdk.values.TypeDescriptor.of(InteractionEvent.class)))
            .via(e -> KV.of(UserBuckets.of(e.userId()), e)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), InteractionEventCoder.of()))
        .apply("FeaturesPerUser", ordered);
    PCollection<DeadLetter> tooLate = stepped.get(ordered.tooLate())
        .apply("TooLateToDeadLetters", ParDo.of(new TooLateFn()))
        .setCoder(DeadLetterCoder.of());
    PCollection<DeadLetter> deadLetters = PCollectionList.of(parsed.get(ParseInteractions.DEAD_LETTERS))
        .and(tooLate)
        .apply("CollectDeadLetters", Flatten.pCollections());
    return PCollectionTuple.of(EVENTS, events)
        .and(LISTENS, stepped.get(ordered.output()))
        .and(DEAD_LETTERS, deadLetters);
  }

  private static final class TooLateFn extends DoFn<InteractionEvent, DeadLetter> {
    private final RunMetrics.StageCounter dead = RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.LATE);

    @ProcessElement
    public void process(@Element InteractionEvent e, OutputReceiver<DeadLetter> out) {
      dead.inc();
      out.output(new DeadLetter(Stages.LATE, "arrived after its user's events up to a later time were"
          + " put in order", e.origin(), e.payload(), e.timestampMillis(), System.currentTimeMillis()));
    }
  }
}
