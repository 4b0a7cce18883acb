package dev.meshflow.io.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.beam.sdk.coders.Coder;
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
}
