package dev.meshflow.io.stream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * An unbounded read that, on the Direct runner, hands its records over in batches.
 *
 * <p>Why: the Direct runner takes at most ten elements from an unbounded reader per bundle (its
 * {@code UnboundedReadEvaluatorFactory}, on purpose, to exercise checkpoints), so a Kafka or
 * Kinesis stream was read at a few hundred records a second however fast the broker served it.
 * Here each element is a batch of up to {@link #MAX_BATCH} records, each with its own timestamp,
 * and the next step emits them one by one. Nothing else changes: the reader's watermark and
 * checkpoints are the wrapped reader's, taken only between batches, so a checkpoint covers exactly
 * the records handed over, and the watermark still moves only after a bundle's records are out.
 * A batch is stamped with its earliest record's time, which holds the watermark no later than any
 * record in it.
 *
 * <p>Other runners read as before: they take as many records from a reader as they can.
 */
public final class BatchedRead {
  /** Records per element: a bundle of ten such elements carries up to a thousand records. */
  static final int MAX_BATCH = 100;

  private BatchedRead() {}

  /** Whether {@code options} run on the runner that reads ten elements per bundle. */
  private static boolean applies(PipelineOptions options) {
    return options.getRunner().getSimpleName().equals("DirectRunner");
  }

  /**
   * {@code read} (a transform that reads one {@link UnboundedSource}) reading in batches where
   * {@link #applies}; unchanged elsewhere, and for a source that needs the runner to drop
   * duplicates by record id, which is defined per record.
   */
  public static <T> PTransform<PBegin, PCollection<T>> of(PTransform<PBegin, PCollection<T>> read,
      PipelineOptions options) {
    if (!applies(options)) {
      return read;
    }
    UnboundedSource<T, ?> source = StoppingRead.sourceOf(read, options);
    if (source.requiresDeduping()) {
      return read;
    }
    return new PTransform<>() {
      @Override
      public PCollection<T> expand(PBegin begin) {
        return begin
            .apply("ReadBatches", Read.from(Batches.of(source)))
            .apply("Unbatch", ParDo.of(new UnbatchFn<T>()))
            .setCoder(source.getOutputCoder());
      }
    };
  }

  private static final class UnbatchFn<T> extends DoFn<List<TimestampedValue<T>>, T> {
    @ProcessElement
    public void process(@Element List<TimestampedValue<T>> batch, OutputReceiver<T> out) {
      for (TimestampedValue<T> record : batch) {
        out.outputWithTimestamp(record.getValue(), record.getTimestamp());
      }
    }
  }

  /** The wrapped source, its records grouped into lists. */
  static final class Batches<T, C extends UnboundedSource.CheckpointMark>
      extends UnboundedSource<List<TimestampedValue<T>>, C> {
    private final UnboundedSource<T, C> source;

    private Batches(UnboundedSource<T, C> source) {
      this.source = source;
    }

    static <T, C extends UnboundedSource.CheckpointMark> Batches<T, C> of(
        UnboundedSource<T, C> source) {
      return new Batches<>(source);
    }

    @Override
    public List<Batches<T, C>> split(int desiredNumSplits, PipelineOptions options)
        throws Exception {
      List<Batches<T, C>> splits = new ArrayList<>();
      for (UnboundedSource<T, C> split : source.split(desiredNumSplits, options)) {
        splits.add(new Batches<>(split));
      }
      return splits;
    }

    @Override
    public UnboundedReader<List<TimestampedValue<T>>> createReader(PipelineOptions options,
        C checkpoint) throws IOException {
      return new Reader(source.createReader(options, checkpoint));
    }

    @Override
    public Coder<C> getCheckpointMarkCoder() {
      return source.getCheckpointMarkCoder();
    }

    @Override
    public Coder<List<TimestampedValue<T>>> getOutputCoder() {
      return ListCoder.of(TimestampedValue.TimestampedValueCoder.of(source.getOutputCoder()));
    }

    private final class Reader extends UnboundedReader<List<TimestampedValue<T>>> {
      private final UnboundedReader<T> reader;
      private List<TimestampedValue<T>> batch;
      private Instant earliest;

      Reader(UnboundedReader<T> reader) {
        this.reader = reader;
      }

      @Override
      public boolean start() throws IOException {
        return fill(reader.start());
      }

      @Override
      public boolean advance() throws IOException {
        return fill(reader.advance());
      }

      /**
       * Takes records while the wrapped reader has one at hand, up to a full batch. The wrapped
       * reader is left with no record taken but not handed over, so its checkpoint is exact.
       */
      private boolean fill(boolean available) throws IOException {
        batch = null;
        earliest = null;
        List<TimestampedValue<T>> taken = new ArrayList<>();
        boolean more = available;
        while (more) {
          Instant at = reader.getCurrentTimestamp();
          taken.add(TimestampedValue.of(reader.getCurrent(), at));
          earliest = earliest == null || at.isBefore(earliest) ? at : earliest;
          more = taken.size() < MAX_BATCH && reader.advance();
        }
        if (taken.isEmpty()) {
          return false;
        }
        batch = taken;
        return true;
      }

      @Override
      public List<TimestampedValue<T>> getCurrent() throws NoSuchElementException {
        if (batch == null) {
          throw new NoSuchElementException();
        }
        return batch;
      }

      @Override
      public Instant getCurrentTimestamp() throws NoSuchElementException {
        if (batch == null) {
          throw new NoSuchElementException();
        }
        return earliest;
      }

      @Override
      public Instant getWatermark() {
        return reader.getWatermark();
      }

      @Override
      public CheckpointMark getCheckpointMark() {
        return reader.getCheckpointMark();
      }

      @Override
      public long getSplitBacklogBytes() {
        return reader.getSplitBacklogBytes();
      }

      @Override
      public long getTotalBacklogBytes() {
        return reader.getTotalBacklogBytes();
      }

      @Override
      public UnboundedSource<List<TimestampedValue<T>>, ?> getCurrentSource() {
        return Batches.this;
      }

      @Override
      public void close() throws IOException {
        reader.close();
      }
    }
  }
}
