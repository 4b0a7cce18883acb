package dev.meshflow.io.generator;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The indexes 0 to N-1 for a bounded generator: ranges of at most {@link #RANGE} indexes, each
 * expanded by a DoFn. The runners split the ranges among their workers as they would a
 * {@code GenerateSequence}; the FlinkRunner, though, updates every metric of the job after each
 * record a Beam source reads (Beam 2.70's {@code ReaderInvocationUtil}), which cost a third of the
 * reading thread's time over a million indexes, and a DoFn's metrics are updated once per bundle.
 */
final class IndexRanges extends PTransform<PBegin, PCollection<Long>> {
  static final long RANGE = 65_536;
  private final long count;

  IndexRanges(long count) {
    this.count = count;
  }

  @Override
  public PCollection<Long> expand(PBegin begin) {
    List<KV<Long, Long>> ranges = new ArrayList<>();
    for (long start = 0; start < count; start += RANGE) {
      ranges.add(KV.of(start, Math.min(count, start + RANGE)));
    }
    return begin
        .apply("Ranges", Create.of(ranges).withCoder(KvCoder.of(VarLongCoder.of(), VarLongCoder.of())))
        .apply("Expand", ParDo.of(new ExpandFn()))
        .setCoder(VarLongCoder.of());
  }

  private static final class ExpandFn extends DoFn<KV<Long, Long>, Long> {
    @ProcessElement
    public void process(@Element KV<Long, Long> range, OutputReceiver<Long> out) {
      for (long i = range.getKey(); i < range.getValue(); i++) {
        out.output(i);
      }
    }
  }
}
