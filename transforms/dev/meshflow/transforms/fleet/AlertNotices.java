package dev.meshflow.transforms.fleet;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.transforms.timestamps.TimestampSkew;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
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
 * The alerts stream as fleet-notify reads it: each line parsed into an {@link AlertNotice} keyed by
 * its vehicle and stamped with its alert time ({@link #NOTICES}); a line that is not an alert is a
 * {@code parse} dead letter with its bytes ({@link #DEAD_LETTERS}). {@link #tooLate()} turns the
 * notices the per-vehicle ordering could no longer place into {@code late} dead letters.
 */
public final class AlertNotices extends PTransform<PCollection<KV<String, byte[]>>, PCollectionTuple> {
  public static final TupleTag<KV<String, AlertNotice>> NOTICES = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  @Override
  public PCollectionTuple expand(PCollection<KV<String, byte[]>> lines) {
    PCollectionTuple parsed = lines.apply("ParseAlerts",
        ParDo.of(new ParseFn()).withOutputTags(NOTICES, TupleTagList.of(DEAD_LETTERS)));
    parsed.get(NOTICES).setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(AlertNotice.class)));
    parsed.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return parsed;
  }

  /** Notices that arrived after their vehicle's later alerts were decided, as late dead letters. */
  public static PTransform<PCollection<AlertNotice>, PCollection<DeadLetter>> tooLate() {
    return new PTransform<>() {
      @Override
      public PCollection<DeadLetter> expand(PCollection<AlertNotice> late) {
        return late.apply("TooLateToDeadLetters", ParDo.of(new TooLateFn())).setCoder(DeadLetterCoder.of());
      }
    };
  }

  private static final class ParseFn extends DoFn<KV<String, byte[]>, KV<String, AlertNotice>> {
    private final RunMetrics.StageCounter read = RunMetrics.counter(RunMetrics.READ);
    private final RunMetrics.StageCounter dead = RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.PARSE);

    @ProcessElement
    public void process(@Element KV<String, byte[]> line, MultiOutputReceiver out) {
      read.inc();
      try {
        AlertNotice n = AlertNotice.parse(line.getKey(), line.getValue());
        out.get(NOTICES).outputWithTimestamp(KV.of(n.vehicleId, n), new Instant(n.tsMillis));
      } catch (IllegalArgumentException e) {
        dead.inc();
        out.get(DEAD_LETTERS).output(new DeadLetter(Stages.PARSE, e.getMessage(), line.getKey(),
            line.getValue(), null, System.currentTimeMillis()));
      }
    }

    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return TimestampSkew.UNLIMITED; // alert time comes from the payload
    }
  }

  private static final class TooLateFn extends DoFn<AlertNotice, DeadLetter> {
    private final RunMetrics.StageCounter dead = RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.LATE);

    @ProcessElement
    public void process(@Element AlertNotice n, OutputReceiver<DeadLetter> out) {
      dead.inc();
      out.output(new DeadLetter(Stages.LATE, "arrived after its vehicle's later alerts were rate-limited",
          n.origin, n.payload, n.tsMillis, System.currentTimeMillis()));
    }
  }
}
