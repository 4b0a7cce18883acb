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
import java.util.Map;
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
import org.apache.beam.sdk.values.PCollectionView;
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
 * event too late to put in order is a dead letter (stage late); with {@link #withTaste}, set each
 * listen's cohort and genre from the products.
 */
public final class SkipSignals extends PTransform<PCollection<KV<String, byte[]>>, PCollectionTuple> {
  /** Unique, valid events: the skips among them are the outcomes. */
  public static final TupleTag<InteractionEvent> EVENTS = new TupleTag<>() {};
  public static final TupleTag<Listen> LISTENS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  private final boolean streaming;
  private final Duration dedupeRetention;
  private final Duration flushEvery;
  /** User id to cohort and item id to genre from the products; null: from ids. */
  private final PCollectionView<Map<String, Integer>> cohortByUser;
  private final PCollectionView<Map<String, Integer>> genreByItem;

  private SkipSignals(boolean streaming, Duration dedupeRetention, Duration flushEvery,
      PCollectionView<Map<String, Integer>> cohortByUser, PCollectionView<Map<String, Integer>> genreByItem) {
    this.streaming = streaming;
    this.dedupeRetention = dedupeRetention;
    this.flushEvery = flushEvery;
    this.cohortByUser = cohortByUser;
    this.genreByItem = genreByItem;
  }

  /** Cohorts and genres from ids ({@link TasteAttributes#FROM_IDS}) until {@link #withTaste}. */
  public static SkipSignals batch() {
    return new SkipSignals(false, Duration.ZERO, Duration.ZERO, null, null);
  }

  /** @param flushEvery how often (event time) each user's waiting events are put in order */
  public static SkipSignals streaming(Duration dedupeRetention, Duration flushEvery) {
    return new SkipSignals(true, dedupeRetention, flushEvery, null, null);
  }

  /**
   * Cohorts and genres from the products instead of ids: side inputs of user id to cohort index
   * and item id to genre index (-1 for an entity they do not hold).
   */
  public SkipSignals withTaste(PCollectionView<Map<String, Integer>> cohortByUser,
      PCollectionView<Map<String, Integer>> genreByItem) {
    return new SkipSignals(streaming, dedupeRetention, flushEvery, cohortByUser, genreByItem);
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
        ordered(new ListenFeaturesStep(cohortByUser == null ? TasteAttributes.FROM_IDS : NO_TASTE), ListenCoder.of());
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
    PCollection<Listen> listens = users.get(byUser.output());
    if (cohortByUser != null) {
      listens = listens.apply("TasteFromProducts", ParDo.of(new TasteFromProductsFn(cohortByUser, genreByItem))
              .withSideInputs(cohortByUser, genreByItem))
          .setCoder(ListenCoder.of());
    }
    return PCollectionTuple.of(EVENTS, events)
        .and(LISTENS, listens)
        .and(DEAD_LETTERS, deadLetters);
  }

  private <V, S extends Serializable, O> OrderedPerKey<V, S, O> ordered(
      OrderedPerKey.Step<V, S, O> step, Coder<O> coder) {
    return streaming ? OrderedPerKey.every(flushEvery, step, coder) : OrderedPerKey.atEnd(step, coder);
  }

  /** Unknown cohorts and genres: the products' are set after the ordered passes. */
  private static final TasteAttributes NO_TASTE = TasteAttributes.of(Map.of(), Map.of());

  /** Sets each listen's cohort and genre from the products. */
  private static final class TasteFromProductsFn extends DoFn<Listen, Listen> {
    private final PCollectionView<Map<String, Integer>> cohortByUser;
    private final PCollectionView<Map<String, Integer>> genreByItem;

    TasteFromProductsFn(PCollectionView<Map<String, Integer>> cohortByUser,
        PCollectionView<Map<String, Integer>> genreByItem) {
      this.cohortByUser = cohortByUser;
      this.genreByItem = genreByItem;
    }

    @ProcessElement
    public void process(@Element Listen l, ProcessContext c) {
      Integer cohort = c.sideInput(cohortByUser).get(l.userId);
      Integer genre = c.sideInput(genreByItem).get(l.itemId);
      c.output(new Listen(l.listenId, l.userId, l.itemId, l.sessionId, l.tsMillis, SkipFeatures.withTaste(
          l.features, cohort == null ? -1 : cohort, genre == null ? -1 : genre)));
    }
  }

  /**
   * An event deduplication counted as valid that turns out too late to put in order is taken back
   * out of the valid count, so that read = valid + duplicates + dead letters still holds.
   */
  private static final class TooLateFn extends DoFn<InteractionEvent, DeadLetter> {
    private final RunMetrics.StageCounter dead = RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.LATE);
    private final RunMetrics.StageCounter valid = RunMetrics.counter(RunMetrics.VALID);

    @ProcessElement
    public void process(@Element InteractionEvent e, OutputReceiver<DeadLetter> out) {
      dead.inc();
      valid.inc(-1);
      out.output(new DeadLetter(Stages.LATE, "arrived after its user's events up to a later time were"
          + " put in order", e.origin(), e.payload(), e.timestampMillis(), System.currentTimeMillis()));
    }
  }
}
