package dev.meshflow.transforms.interactions;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.transforms.timestamps.TimestampSkew;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Raw records to validated events, stamped with their event time. Records that break the contract
 * go to {@link #DEAD_LETTERS} with stage {@code parse}; nothing fails the pipeline.
 */
public final class ParseInteractions
    extends PTransform<PCollection<KV<String, byte[]>>, PCollectionTuple> {
  public static final TupleTag<InteractionEvent> EVENTS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /** What of a valid event goes on. */
  private enum Keep {
    /** Everything, the original bytes included: a later stage may still dead-letter it. */
    ALL,
    /** Everything but the original bytes. */
    NO_PAYLOAD,
    /** Only what dedupe and the per-item counts read ({@link InteractionEvent#forTally}). */
    COUNTED_FIELDS
  }

  private final Keep keep;

  /**
   * @param keepPayload whether valid events keep their original bytes. Only streaming needs them
   *     (a too-late event is dead-lettered downstream); batch sheds them before the shuffles.
   */
  public ParseInteractions(boolean keepPayload) {
    this(keepPayload ? Keep.ALL : Keep.NO_PAYLOAD);
  }

  private ParseInteractions(Keep keep) {
    this.keep = keep;
  }

  /**
   * Valid events keep only what dedupe and the counts read. The parse's events and dead letters
   * leave through one output each, and on FlinkRunner's batch translation that is one stream
   * read by two tasks, so every event is encoded twice and decoded twice: the smaller the
   * better (docs/benchmarks.md).
   */
  public static ParseInteractions countedFieldsOnly() {
    return new ParseInteractions(Keep.COUNTED_FIELDS);
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, byte[]>> records) {
    PCollectionTuple out = records.apply(
        "ParseAndValidate",
        ParDo.of(new ParseFn(keep)).withOutputTags(EVENTS, TupleTagList.of(DEAD_LETTERS)));
    out.get(EVENTS).setCoder(InteractionEventCoder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return out;
  }

  private static final class ParseFn extends DoFn<KV<String, byte[]>, InteractionEvent> {
    private final Keep keep;
    private final RunMetrics.StageCounter read = RunMetrics.counter(RunMetrics.READ);
    private final RunMetrics.StageCounter dead =
        RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.PARSE);

    ParseFn(Keep keep) {
      this.keep = keep;
    }

    @ProcessElement
    public void process(@Element KV<String, byte[]> record, MultiOutputReceiver out) {
      read.inc();
      InteractionParser.Result result = InteractionParser.parse(record.getKey(), record.getValue());
      if (result.isValid()) {
        InteractionEvent event = keep == Keep.ALL ? result.event()
            : keep == Keep.NO_PAYLOAD ? result.event().withoutPayload() : result.event().forTally();
        out.get(EVENTS).outputWithTimestamp(event, new Instant(event.timestampMillis()));
      } else {
        dead.inc();
        out.get(DEAD_LETTERS).output(new DeadLetter(
            Stages.PARSE, result.error(), record.getKey(), record.getValue(), null,
            System.currentTimeMillis()));
      }
    }

    // Event time comes from the payload and may precede the time a source stamped on the record
    // (a watched file's discovery time, say). Whether it is too late is decided downstream.
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return TimestampSkew.UNLIMITED;
    }
  }
}
