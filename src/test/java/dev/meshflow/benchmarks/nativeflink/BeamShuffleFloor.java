package dev.meshflow.benchmarks.nativeflink;

import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@link NativeShuffleFloor}'s job in Beam on the FlinkRunner, with the launcher's Flink settings
 * (parallelism 2, object reuse, no copies between operators): {@code GenerateSequence}, keyed by
 * {@code i mod K}, {@code Sum.longsPerKey}. Whatever it costs beyond native Flink is the runner's
 * translation, since there is nothing else in it.
 *
 * <p>{@code java ... BeamShuffleFloor N K [--more-options]}; prints {@code keys K' total N'}.
 */
public final class BeamShuffleFloor {
  private BeamShuffleFloor() {}

  public static void main(String[] args) throws Exception {
    long n = Long.parseLong(args[0]);
    long k = Long.parseLong(args[1]);
    List<String> more = List.of(args).subList(2, args.length);
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs(more.toArray(new String[0]))
        .as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setParallelism(2);
    options.setObjectReuse(true);
    options.setFasterCopy(true);
    Pipeline p = Pipeline.create(options);
    p.apply("Numbers", GenerateSequence.from(0).to(n))
        .apply("KeyByModulo", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
            .via((Long i) -> KV.of(i % k, 1L)))
        .apply("CountPerKey", Sum.longsPerKey())
        .apply("Tally", ParDo.of(new TallyFn()));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    long keys = 0;
    long total = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.inNamespace("floor")).build()).getCounters()) {
      if (c.getName().getName().equals("keys")) {
        keys += c.getAttempted();
      } else {
        total += c.getAttempted();
      }
    }
    System.out.println("keys " + keys + " total " + total);
  }

  private static final class TallyFn extends DoFn<KV<Long, Long>, Void> {
    private final Counter keys = Metrics.counter("floor", "keys");
    private final Counter total = Metrics.counter("floor", "total");

    @ProcessElement
    public void process(@Element KV<Long, Long> kv) {
      keys.inc();
      total.inc(kv.getValue());
    }
  }
}
