package dev.meshflow.transforms.clickstream;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.transforms.Combine;

/**
 * The statistical half of bot detection, after Beam's GameStats: a session is an outlier when its
 * rate is above the mean plus {@code sigmas} standard deviations of all sessions in the same
 * window. The sums are exact integers (rates in hundredths), so the threshold does not depend on
 * the order a runner combines in.
 */
public final class RateOutliers {
  private RateOutliers() {}

  /** The threshold in hundredths of events per minute; infinite for an empty window. */
  public static double threshold(long n, long sum, long sumSquares, double sigmas) {
    if (n == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double mean = (double) sum / n;
    double variance = Math.max(0, (double) sumSquares / n - mean * mean);
    return mean + sigmas * Math.sqrt(variance);
  }

  /** Combines session rates into the window's threshold. */
  public static final class ThresholdFn extends Combine.CombineFn<Long, long[], Double> {
    private final double sigmas;

    public ThresholdFn(double sigmas) {
      this.sigmas = sigmas;
    }

    @Override
    public long[] createAccumulator() {
      return new long[3];
    }

    @Override
    public long[] addInput(long[] acc, Long rateCenti) {
      acc[0]++;
      acc[1] += rateCenti;
      acc[2] += rateCenti * rateCenti;
      return acc;
    }

    @Override
    public long[] mergeAccumulators(Iterable<long[]> accs) {
      long[] out = new long[3];
      for (long[] a : accs) {
        for (int i = 0; i < 3; i++) {
          out[i] += a[i];
        }
      }
      return out;
    }

    @Override
    public Double extractOutput(long[] acc) {
      return threshold(acc[0], acc[1], acc[2], sigmas);
    }

    @Override
    public Double defaultValue() {
      return Double.POSITIVE_INFINITY;
    }

    @Override
    public Coder<long[]> getAccumulatorCoder(CoderRegistry registry, Coder<Long> input) {
      return SumsCoder.INSTANCE;
    }

    @Override
    public Coder<Double> getDefaultOutputCoder(CoderRegistry registry, Coder<Long> input) {
      return DoubleCoder.of();
    }
  }

  /** Count, sum and sum of squares: a bare {@code long[]}, which has no schema. */
  private static final class SumsCoder extends CustomCoder<long[]> {
    static final SumsCoder INSTANCE = new SumsCoder();
    private static final VarLongCoder LONG = VarLongCoder.of();

    @Override
    public void encode(long[] sums, OutputStream out) throws IOException {
      for (long v : sums) {
        LONG.encode(v, out);
      }
    }

    @Override
    public long[] decode(InputStream in) throws IOException {
      return new long[] {LONG.decode(in), LONG.decode(in), LONG.decode(in)};
    }

    @Override
    public void verifyDeterministic() {}
  }
}
