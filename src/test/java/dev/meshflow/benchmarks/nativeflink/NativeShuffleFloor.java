package dev.meshflow.benchmarks.nativeflink;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The cheapest keyed job in native Flink: the numbers 0 to N-1, keyed by {@code i mod K}, counted
 * per key (batch execution mode, parallelism 2). With {@link BeamShuffleFloor} it measures what
 * one shuffle costs through Beam's FlinkRunner against Flink itself, with no work of meshflow's.
 *
 * <p>{@code java ... NativeShuffleFloor N K}; prints {@code keys K' total N'}.
 */
public final class NativeShuffleFloor {
  private NativeShuffleFloor() {}

  public static void main(String[] args) throws Exception {
    long n = Long.parseLong(args[0]);
    long k = Long.parseLong(args[1]);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    long keys = 0;
    long total = 0;
    try (var results = env.fromSequence(0, n - 1)
        .map(i -> Tuple2.of(i % k, 1L)).returns(Types.TUPLE(Types.LONG, Types.LONG))
        .keyBy(t -> t.f0)
        .reduce((a, b) -> Tuple2.of(a.f0, a.f1 + b.f1))
        .executeAndCollect("native shuffle floor")) {
      while (results.hasNext()) {
        keys++;
        total += results.next().f1;
      }
    }
    System.out.println("keys " + keys + " total " + total);
  }
}
