package dev.meshflow.io.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Direct runner's batched read hands over every record once, with its own timestamp, and its
 * checkpoints fall exactly between batches, so a restored reader goes on with the next record.
 */
public class BatchedReadTest {
  private static final int RECORDS = 2_345;
  private static final Instant BASE = Instant.parse("2026-03-08T00:00:00Z");

  /** Records out of event-time order: a stride through the record count. */
  private static List<TimestampedValue<String>> records() {
    List<TimestampedValue<String>> records = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      records.add(ListSource.record(i, RECORDS));
    }
    return records;
  }

  @Test
  @ExtendWith(TestPipelineExtension.class)
  public void directRunsHandOverEveryRecordOnceWithItsOwnTimestamp(TestPipeline pipeline) {
    PTransform<PBegin, PCollection<String>> read =
        BatchedRead.of(Read.from(new ListSource(RECORDS)), pipeline.getOptions());
    PCollection<String> stamped = pipeline
        .apply("Read", read)
        .apply("Stamp", ParDo.of(new StampFn()));
    List<String> expected = new ArrayList<>();
    for (TimestampedValue<String> r : records()) {
      expected.add(r.getValue() + "@" + r.getTimestamp().getMillis());
    }
    PAssert.that(stamped).containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  private static final class StampFn extends DoFn<String, String> {
    @ProcessElement
    public void process(@Element String r, @Timestamp Instant at, OutputReceiver<String> out) {
      out.output(r + "@" + at.getMillis());
    }
  }

  @Test
  public void otherRunnersReadUnchanged() {
    PipelineOptions flink = PipelineOptionsFactory.fromArgs("--runner=FlinkRunner").create();
    Read.Unbounded<String> read = Read.from(new ListSource(RECORDS));
    assertSame(read, BatchedRead.of(read, flink));
  }

  @Test
  public void batchesAreFullWhileRecordsAreAtHandAndACheckpointResumesAfterOne()
      throws Exception {
    PipelineOptions options = PipelineOptionsFactory.create();
    BatchedRead.Batches<String, ListSource.Mark> source =
        BatchedRead.Batches.of(new ListSource(RECORDS));
    UnboundedSource.UnboundedReader<List<TimestampedValue<String>>> reader =
        source.createReader(options, null);
    assertTrue(reader.start());
    List<TimestampedValue<String>> first = reader.getCurrent();
    assertEquals(BatchedRead.MAX_BATCH, first.size(), "a full batch while records are at hand");
    assertEquals(records().subList(0, BatchedRead.MAX_BATCH), first);
    Instant earliest = first.stream().map(TimestampedValue::getTimestamp)
        .min(Instant::compareTo).orElseThrow();
    assertEquals(earliest, reader.getCurrentTimestamp(), "a batch holds the watermark to its earliest record");

    Coder<ListSource.Mark> coder = source.getCheckpointMarkCoder();
    ListSource.Mark mark = CoderUtils.decodeFromByteArray(coder,
        CoderUtils.encodeToByteArray(coder, (ListSource.Mark) reader.getCheckpointMark()));
    UnboundedSource.UnboundedReader<List<TimestampedValue<String>>> resumed =
        source.createReader(options, mark);
    assertTrue(resumed.start());
    assertEquals(records().get(BatchedRead.MAX_BATCH), resumed.getCurrent().get(0),
        "a restored reader goes on with the first record after the checkpoint");

    int read = BatchedRead.MAX_BATCH + resumed.getCurrent().size();
    int last = 0;
    while (resumed.advance()) {
      last = resumed.getCurrent().size();
      read += last;
    }
    assertEquals(RECORDS, read, "every record once");
    assertEquals(RECORDS % BatchedRead.MAX_BATCH, last, "the last batch is what was left");
    assertEquals(RECORDS, ((ListSource.Mark) resumed.getCheckpointMark()).next);
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, resumed.getWatermark());
  }

  /**
   * A finite unbounded source over a list, as a topic partition with a fixed backlog: its mark is
   * the index of the next record, and its watermark ends once the list is read.
   */
  static final class ListSource extends UnboundedSource<String, ListSource.Mark> {
    private final int count;

    ListSource(int count) {
      this.count = count;
    }

    static TimestampedValue<String> record(int i, int count) {
      return TimestampedValue.of("r" + i, BASE.plus((i * 7919L) % count * 1000));
    }

    static final class Mark implements UnboundedSource.CheckpointMark {
      final int next;

      Mark(int next) {
        this.next = next;
      }

      @Override
      public void finalizeCheckpoint() {}
    }

    @Override
    public List<ListSource> split(int desiredNumSplits, PipelineOptions options) {
      return List.of(this);
    }

    @Override
    public UnboundedReader<String> createReader(PipelineOptions options, Mark checkpoint) {
      int from = checkpoint == null ? 0 : checkpoint.next;
      List<TimestampedValue<String>> records = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        records.add(record(i, count));
      }
      return new UnboundedReader<>() {
        private int current = from - 1;

        @Override
        public boolean start() {
          return advance();
        }

        @Override
        public boolean advance() {
          if (current + 1 >= records.size()) {
            current = records.size();
            return false;
          }
          current++;
          return true;
        }

        @Override
        public String getCurrent() {
          if (current < 0 || current >= records.size()) {
            throw new NoSuchElementException();
          }
          return records.get(current).getValue();
        }

        @Override
        public Instant getCurrentTimestamp() {
          if (current < 0 || current >= records.size()) {
            throw new NoSuchElementException();
          }
          return records.get(current).getTimestamp();
        }

        @Override
        public Instant getWatermark() {
          return current >= records.size() ? BoundedWindow.TIMESTAMP_MAX_VALUE : BASE;
        }

        @Override
        public CheckpointMark getCheckpointMark() {
          return new Mark(Math.min(current + 1, records.size()));
        }

        @Override
        public UnboundedSource<String, ?> getCurrentSource() {
          return ListSource.this;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public Coder<Mark> getCheckpointMarkCoder() {
      return new AtomicCoder<>() {
        @Override
        public void encode(Mark mark, OutputStream out) throws IOException {
          VarIntCoder.of().encode(mark.next, out);
        }

        @Override
        public Mark decode(InputStream in) throws IOException {
          return new Mark(VarIntCoder.of().decode(in));
        }
      };
    }

    @Override
    public Coder<String> getOutputCoder() {
      return StringUtf8Coder.of();
    }
  }
}
