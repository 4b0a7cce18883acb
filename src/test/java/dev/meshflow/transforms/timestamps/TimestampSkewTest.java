package dev.meshflow.transforms.timestamps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The unlimited skew allows any earlier output time, without the overflow Long.MAX_VALUE causes. */
@ExtendWith(TestPipelineExtension.class)
public class TimestampSkewTest {

  @Test
  public void subtractingItFromAnyBeamTimestampDoesNotOverflowAndReachesTheMinimum(TestPipeline pipeline) {
    for (Instant t : List.of(BoundedWindow.TIMESTAMP_MIN_VALUE, new Instant(0), BoundedWindow.TIMESTAMP_MAX_VALUE)) {
      Instant lowest = t.minus(TimestampSkew.UNLIMITED);
      assertFalse(lowest.isAfter(BoundedWindow.TIMESTAMP_MIN_VALUE), t + " minus the skew");
    }
    // What it replaces: for an element at the minimum timestamp (every element a bounded source
    // reads before event times are assigned), the runner's check overflows on every output.
    try {
      BoundedWindow.TIMESTAMP_MIN_VALUE.minus(Duration.millis(Long.MAX_VALUE));
      org.junit.jupiter.api.Assertions.fail("Long.MAX_VALUE skew was expected to overflow");
    } catch (ArithmeticException expected) {
      // the cost TimestampSkew avoids
    }
  }

  @Test
  public void aDoFnWithItMayOutputAtAnyEarlierTime(TestPipeline pipeline) {
    PCollection<Long> out = pipeline
        .apply(Create.timestamped(TimestampedValue.of(1L, new Instant(1_000_000)),
            TimestampedValue.of(2L, BoundedWindow.TIMESTAMP_MAX_VALUE.minus(Duration.standardDays(2)))))
        .apply(ParDo.of(new ToEarliest()));
    PAssert.that(out).containsInAnyOrder(1L, 2L);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void noMainSourceDeclaresTheOverflowingSkew(TestPipeline pipeline) throws IOException {
    List<Path> offenders;
    try (Stream<Path> files = Stream.of("options", "io", "transforms", "pipelines").map(Path::of)
        .filter(Files::isDirectory).flatMap(TimestampSkewTest::javaFiles)) {
      offenders = files.filter(f -> read(f).contains("millis(Long.MAX_VALUE)")).collect(Collectors.toList());
    }
    assertEquals(List.of(), offenders, "use TimestampSkew.UNLIMITED in " + offenders);
    assertTrue(Files.isDirectory(Path.of("transforms")), "the source roots were found");
  }

  private static Stream<Path> javaFiles(Path root) {
    try {
      return Files.walk(root).filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList()).stream();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static final class ToEarliest extends DoFn<Long, Long> {
    @ProcessElement
    public void process(ProcessContext c) {
      c.outputWithTimestamp(c.element(), BoundedWindow.TIMESTAMP_MIN_VALUE);
    }

    @SuppressWarnings("deprecation")
    @Override
    public Duration getAllowedTimestampSkew() {
      return TimestampSkew.UNLIMITED;
    }
  }
}
