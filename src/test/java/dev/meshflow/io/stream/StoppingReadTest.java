package dev.meshflow.io.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.beam.sdk.coders.Coder;
import java.util.List;
import org.apache.beam.sdk.io.CountingSource;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.UnboundedSource.CheckpointMark;
import org.apache.beam.sdk.io.UnboundedSource.UnboundedReader;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The checkpoints of a stopping read, on Beam's own counting source (what the live generators
 * read). A reader the runner opens after time is up never starts the counting reader, whose mark
 * then held a null start time: Flink failed that checkpoint ("cannot encode a null Instant") in a
 * fleet-alerts run whose second reader opened after its stop.
 */
public class StoppingReadTest {
  private final PipelineOptions options = PipelineOptionsFactory.create();

  @SuppressWarnings("unchecked")
  private UnboundedSource<Long, CheckpointMark> stopping(Duration lifetime) {
    return (UnboundedSource<Long, CheckpointMark>) ((Read.Unbounded<Long>)
        StoppingRead.of(GenerateSequence.from(0), options, lifetime, null)).getSource();
  }

  private static <M> M roundTrip(Coder<M> coder, M mark) throws Exception {
    return CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, mark));
  }

  @Test
  public void aReaderOpenedAfterTheStopHasACheckpointThatEncodesAndReadsNothing() throws Exception {
    UnboundedSource<Long, CheckpointMark> source = stopping(Duration.ZERO);
    UnboundedReader<Long> late = source.createReader(options, null);
    assertFalse(late.start(), "time is up: nothing to read");
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, late.getWatermark(), "a reader opened after the stop is done");
    assertEquals(0, late.getSplitBacklogBytes());
    CheckpointMark mark = roundTrip(source.getCheckpointMarkCoder(), late.getCheckpointMark());
    mark.finalizeCheckpoint(); // nothing to commit, and no failure

    UnboundedReader<Long> resumed = stopping(Duration.standardHours(1)).createReader(options, mark);
    assertTrue(resumed.start());
    assertEquals(Long.valueOf(0), resumed.getCurrent(), "a reader that read nothing leaves the next run to start at the beginning");
  }

  @Test
  public void aRestoredReaderGoesOnAfterTheLastRecordOfItsCheckpoint() throws Exception {
    UnboundedSource<Long, CheckpointMark> source = stopping(Duration.standardHours(1));
    UnboundedReader<Long> reader = source.createReader(options, null);
    assertTrue(reader.start());
    for (int i = 0; i < 4; i++) {
      assertTrue(reader.advance());
    }
    assertEquals(Long.valueOf(4), reader.getCurrent());
    CheckpointMark mark = roundTrip(source.getCheckpointMarkCoder(), reader.getCheckpointMark());

    UnboundedReader<Long> resumed = source.createReader(options, mark);
    assertTrue(resumed.start());
    assertEquals(Long.valueOf(5), resumed.getCurrent());
  }

  /** A source that never splits, as a Kinesis stream of one shard or a topic of one partition. */
  private static final class OneSplit extends UnboundedSource<Long, CheckpointMark> {
    @SuppressWarnings("unchecked")
    private final UnboundedSource<Long, CheckpointMark> counting =
        (UnboundedSource<Long, CheckpointMark>) (UnboundedSource<Long, ?>) CountingSource.unbounded();

    @Override
    public List<OneSplit> split(int desiredNumSplits, PipelineOptions options) {
      return List.of(this);
    }

    @Override
    public UnboundedReader<Long> createReader(PipelineOptions options, CheckpointMark mark) throws java.io.IOException {
      return counting.createReader(options, mark);
    }

    @Override
    public Coder<CheckpointMark> getCheckpointMarkCoder() {
      return counting.getCheckpointMarkCoder();
    }

    @Override
    public Coder<Long> getOutputCoder() {
      return counting.getOutputCoder();
    }
  }

  @Test
  public void onFlinkEveryReaderGetsASplitAndTheExtraOnesAreDoneAtOnce() throws Exception {
    PipelineOptions flink = PipelineOptionsFactory.fromArgs("--runner=FlinkRunner").create();
    @SuppressWarnings("unchecked")
    UnboundedSource<Long, CheckpointMark> source = (UnboundedSource<Long, CheckpointMark>) ((Read.Unbounded<Long>)
        StoppingRead.of(Read.from(new OneSplit()), flink, Duration.standardHours(1), null)).getSource();
    List<? extends UnboundedSource<Long, CheckpointMark>> splits = source.split(2, flink);
    assertEquals(2, splits.size(), "one split per reader at parallelism 2");
    UnboundedReader<Long> reading = splits.get(0).createReader(flink, null);
    assertTrue(reading.start(), "the first split reads the stream");
    UnboundedReader<Long> padding = splits.get(1).createReader(flink, null);
    assertFalse(padding.start());
    assertFalse(padding.advance());
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, padding.getWatermark(), "the padding split is done at once");
    Coder<CheckpointMark> marks = splits.get(1).getCheckpointMarkCoder();
    roundTrip(marks, padding.getCheckpointMark()).finalizeCheckpoint();
    assertEquals(1, splits.get(1).split(3, flink).size(), "a padding split stays one");

    assertEquals(1, source.split(2, options).size(), "other runners get the source's own splits");
  }
}
