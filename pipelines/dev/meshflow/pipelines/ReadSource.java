package dev.meshflow.pipelines;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler.BadRecordErrorHandler;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;
import org.joda.time.Duration;

/**
 * Reads a pipeline's {@code --source}. Input the source cannot read at all (a gzip file cut short)
 * reaches Beam's {@link BadRecordErrorHandler}, which writes it to the sink's {@code dead_letter}
 * table with stage {@code unreadable-file}, instead of failing the run, and a restart of it. Each
 * such input counts as one record read and one dead letter, so the run's counts still add up.
 */
public final class ReadSource {
  private ReadSource() {}

  public static PCollection<KV<String, byte[]>> apply(Pipeline pipeline, String name, RecordSource source,
      Duration stopAfter, TableSink deadLetterSink) {
    if (!source.mayFindUnreadableInput()) {
      return pipeline.apply(name, source.read(stopAfter));
    }
    try (BadRecordErrorHandler<PDone> unreadable =
        pipeline.registerBadRecordErrorHandler(new WriteUnreadable(name, deadLetterSink))) {
      return pipeline.apply(name, source.read(stopAfter, unreadable));
    }
  }

  /** The error handler's sink: each bad record as a dead letter in {@code dead_letter}. */
  private static final class WriteUnreadable extends PTransform<PCollection<BadRecord>, PDone> {
    private final TableSink sink;

    WriteUnreadable(String readName, TableSink sink) {
      super(readName + "Unreadable");
      this.sink = sink;
    }

    @Override
    public PDone expand(PCollection<BadRecord> bad) {
      WarehouseWrites.writeDeadLetters(PCollectionList.of(bad
          .apply("ToDeadLetters", ParDo.of(new ToDeadLetterFn()))
          .setCoder(DeadLetterCoder.of())), sink);
      return PDone.in(bad.getPipeline());
    }
  }

  static final class ToDeadLetterFn extends DoFn<BadRecord, DeadLetter> {
    private final RunMetrics.StageCounter read = RunMetrics.counter(RunMetrics.READ);
    private final RunMetrics.StageCounter unreadable =
        RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.UNREADABLE_FILE);

    @ProcessElement
    public void process(@Element BadRecord bad, OutputReceiver<DeadLetter> out) {
      read.inc();
      unreadable.inc();
      byte[] stored = bad.getRecord().getEncodedRecord();
      out.output(new DeadLetter(Stages.UNREADABLE_FILE, bad.getFailure().getDescription(),
          bad.getRecord().getHumanReadableJsonRecord(), stored == null ? new byte[0] : stored, null,
          System.currentTimeMillis()));
    }
  }
}
