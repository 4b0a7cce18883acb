package dev.meshflow.transforms.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Speed statistics of a vehicle's positions in one window: counts, sum and maximum of the known
 * speeds, filled and outside points, and the latest point's zone and place (which zone's limit a
 * window average is held to). One combiner for the minute statistics and the sliding averages.
 */
public final class SpeedStats {
  public long points;
  public long speedPoints;
  /**
   * The sum in thousandths of a km/h. Whole numbers add up the same in any order, so every runner,
   * however it splits and merges, computes the same average as the model.
   */
  public long speedSumMilli;
  public double speedMax;
  public long filled;
  public long outside;
  public long lastTs = Long.MIN_VALUE;
  public String lastZone;
  public int lastLimit;
  public double lastLat;
  public double lastLon;

  public void add(VehiclePosition p) {
    points++;
    if (p.speedKmh != null) {
      speedPoints++;
      speedSumMilli += Math.round(p.speedKmh * 1000);
      speedMax = Math.max(speedMax, p.speedKmh);
    }
    filled += p.speedFilled ? 1 : 0;
    outside += p.zoneId == null ? 1 : 0;
    keepLatest(p.tsMillis, p.zoneId, p.limitKmh, p.lat, p.lon);
  }

  private void keepLatest(long ts, String zone, int limit, double lat, double lon) {
    if (ts > lastTs) {
      lastTs = ts;
      lastZone = zone;
      lastLimit = limit;
      lastLat = lat;
      lastLon = lon;
    }
  }

  public void merge(SpeedStats o) {
    points += o.points;
    speedPoints += o.speedPoints;
    speedSumMilli += o.speedSumMilli;
    speedMax = Math.max(speedMax, o.speedMax);
    filled += o.filled;
    outside += o.outside;
    keepLatest(o.lastTs, o.lastZone, o.lastLimit, o.lastLat, o.lastLon);
  }

  /** The mean of the known speeds, or null when no point had one. */
  public Double average() {
    return speedPoints == 0 ? null : speedSumMilli / 1000.0 / speedPoints;
  }

  /** The combiner over a vehicle's positions. */
  public static final class Fn extends Combine.CombineFn<VehiclePosition, SpeedStats, SpeedStats> {
    @Override
    public SpeedStats createAccumulator() {
      return new SpeedStats();
    }

    @Override
    public SpeedStats addInput(SpeedStats acc, VehiclePosition p) {
      acc.add(p);
      return acc;
    }

    @Override
    public SpeedStats mergeAccumulators(Iterable<SpeedStats> all) {
      SpeedStats out = new SpeedStats();
      all.forEach(out::merge);
      return out;
    }

    @Override
    public SpeedStats extractOutput(SpeedStats acc) {
      return acc;
    }

    @Override
    public Coder<SpeedStats> getAccumulatorCoder(CoderRegistry registry, Coder<VehiclePosition> input) {
      return StatsCoder.INSTANCE;
    }

    @Override
    public Coder<SpeedStats> getDefaultOutputCoder(CoderRegistry registry, Coder<VehiclePosition> input) {
      return StatsCoder.INSTANCE;
    }
  }

  /**
   * No Java serialization on the shuffle path. Kept over a Beam schema: the inferred schema coder
   * ran at 0.47 of its throughput (docs/benchmarks.md, "Coders").
   */
  public static final class StatsCoder extends CustomCoder<SpeedStats> {
    static final StatsCoder INSTANCE = new StatsCoder();
    private static final VarLongCoder LONG = VarLongCoder.of();
    private static final DoubleCoder DOUBLE = DoubleCoder.of();
    private static final NullableCoder<String> STRING = NullableCoder.of(StringUtf8Coder.of());
    private static final VarIntCoder INT = VarIntCoder.of();

    public static StatsCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(SpeedStats s, OutputStream out) throws IOException {
      LONG.encode(s.points, out);
      LONG.encode(s.speedPoints, out);
      LONG.encode(s.speedSumMilli, out);
      DOUBLE.encode(s.speedMax, out);
      LONG.encode(s.filled, out);
      LONG.encode(s.outside, out);
      LONG.encode(s.lastTs, out);
      STRING.encode(s.lastZone, out);
      INT.encode(s.lastLimit, out);
      DOUBLE.encode(s.lastLat, out);
      DOUBLE.encode(s.lastLon, out);
    }

    @Override
    public SpeedStats decode(InputStream in) throws IOException {
      SpeedStats s = new SpeedStats();
      s.points = LONG.decode(in);
      s.speedPoints = LONG.decode(in);
      s.speedSumMilli = LONG.decode(in);
      s.speedMax = DOUBLE.decode(in);
      s.filled = LONG.decode(in);
      s.outside = LONG.decode(in);
      s.lastTs = LONG.decode(in);
      s.lastZone = STRING.decode(in);
      s.lastLimit = INT.decode(in);
      s.lastLat = DOUBLE.decode(in);
      s.lastLon = DOUBLE.decode(in);
      return s;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
