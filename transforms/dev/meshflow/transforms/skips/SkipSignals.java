package dev.meshflow.transforms.skips;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.transforms.interactions.DedupeByEventId;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionEventCoder;
import dev.meshflow.transforms.interactions.ParseInteractions;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;
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
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * From raw interaction records to what the skip models need, the same in training and scoring and
 * in batch and streaming (only the flush interval differs).
 *
 * <p>Steps: parse (bad records are dead letters); deduplicate by event id; per item, in event-time
 * order, attach the item's recent behaviour ({@link ItemFeaturesStep}); per user, in event-time
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
    // Two ordered passes: per item, then per user. The item pass's outputs keep their timestamps
    // and its watermark hold, so the user pass sees them on time.
    OrderedPerKey<InteractionEvent, ItemHistory.Bucket, ItemContext> byItem =
        ordered(new ItemFeaturesStep(), ItemContextCoder.of());
    PCollectionTuple items = events
        .apply("KeyByItemBucket", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
                TypeDescriptor.of(InteractionEvent.class)))
            .via(e -> KV.of(StateBuckets.of(e.itemId()), e)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), InteractionEventCoder.of()))
        .apply("FeaturesPerItem", byItem);
    OrderedPerKey<ItemContext, UserHistory.Bucket, Listen> byUser =
        ordered(new ListenFeaturesStep(), ListenCoder.of());
    PCollectionTuple users = items.get(byItem.output())
        .apply("KeyByUserBucket", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
                TypeDescriptor.of(ItemContext.class)))
            .via(c -> KV.of(StateBuckets.of(c.event.userId()), c)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ItemContextCoder.of()))
        .apply("FeaturesPerUser", byUser);
    PCollection<InteractionEvent> userTooLate = users.get(byUser.tooLate())
        .apply("UnwrapTooLate", MapElements.into(TypeDescriptor.of(InteractionEvent.class)).via(c -> c.event))
        .setCoder(InteractionEventCoder.of());
    PCollection<DeadLetter> tooLate = PCollectionList.of(items.get(byItem.tooLate())).and(userTooLate)
        .apply("CollectTooLate", Flatten.pCollections())
        .apply("TooLateToDeadLetters", ParDo.of(new TooLateFn()))
        .setCoder(DeadLetterCoder.of());
    PCollection<DeadLetter> deadLetters = PCollectionList.of(parsed.get(ParseInteractions.DEAD_LETTERS))
        .and(tooLate)
        .apply("CollectDeadLetters", Flatten.pCollections());
    return PCollectionTuple.of(EVENTS, events)
        .and(LISTENS, users.get(byUser.output()))
        .and(DEAD_LETTERS, deadLetters);
  }

  private <V, S extends Serializable, O> OrderedPerKey<V, S, O> ordered(
      OrderedPerKey.Step<V, S, O> step, Coder<O> coder) {
    return streaming ? OrderedPerKey.every(flushEvery, step, coder) : OrderedPerKey.atEnd(step, coder);
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
