package dev.meshflow.transforms.anomaly;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.Clusterable;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.JDKRandomGenerator;

/**
 * Trains one window's {@link KMeansModel}. Plain Java, shared by the pipeline and its reference
 * model; what makes it the same on every runner is that its input is put in one order first (by
 * session id) and k-means++ is seeded.
 *
 * <ol>
 *   <li>Keep at most {@link Settings#maxSessions} sessions: those with the smallest hash of their
 *       id, a sample any runner picks alike (and a combine can pick without holding the rest).
 *   <li>Standardize each feature by the window's mean and standard deviation.
 *   <li>Cluster with k-means++ (Commons Math).
 *   <li>Leave out clusters holding less than {@link Settings#minClusterShare} of the sessions: a
 *       small tight group far from everyone else is what an anomaly looks like, not a normal.
 *   <li>Per remaining cluster, the spread of each feature: the 95th percentile of its members'
 *       absolute deviations over 1.96 (sigma for normal data, but not pulled out by the few
 *       anomalies a cluster absorbs), at least {@link #MIN_SPREAD}. Distances are measured in
 *       these units, so a cluster that is tight in one feature notices a deviation in it.
 *   <li>The threshold is the {@link Settings#quantile} of its own members' distances.
 * </ol>
 */
public final class KMeansTrainer {
  /** Below this a threshold would make every slight difference an anomaly. */
  static final double MIN_THRESHOLD = 1e-3;
  /** The smallest spread of a feature within a cluster, in standard deviations of the window. */
  static final double MIN_SPREAD = 0.5;
  /** For a normal distribution 95 % of deviations are within 1.96 sigma. */
  private static final double SPREAD_QUANTILE = 0.95;
  private static final double SPREAD_Z = 1.959964;

  /** What training is tuned by. */
  public static final class Settings implements Serializable {
    public int clusters = 12;
    public double quantile = 0.998;
    public double minClusterShare = 0.01;
    public int maxIterations = 100;
    public long seed = 7;
    public int minSessions = 50;
    public int maxSessions = 50_000;

    public void validate() {
      if (clusters < 1 || maxIterations < 1) {
        throw new IllegalArgumentException("clusters and iterations must be at least 1");
      }
      if (!(quantile > 0 && quantile <= 1) || !(minClusterShare >= 0 && minClusterShare < 1)) {
        throw new IllegalArgumentException("the quantile must be in (0, 1] and the rare-cluster share in [0, 1)");
      }
      if (minSessions < clusters || maxSessions < minSessions) {
        throw new IllegalArgumentException("need clusters <= minimum sessions <= maximum sessions, got "
            + clusters + ", " + minSessions + ", " + maxSessions);
      }
    }
  }

  /** One session's features, named by its session id. */
  public static final class Sample implements Serializable {
    public final String sessionId;
    public final double[] features;

    public Sample(String sessionId, double[] features) {
      this.sessionId = sessionId;
      this.features = features;
    }

    /** The sampling order: a well-mixed hash of the id, then the id. */
    long rank() {
      long h = sessionId.hashCode() * 0x9E3779B97F4A7C15L;
      h ^= h >>> 32;
      h *= 0xD6E8FEB86659FD93L;
      return h ^ (h >>> 32);
    }
  }

  static final Comparator<Sample> SAMPLING_ORDER =
      Comparator.comparingLong(Sample::rank).thenComparing(s -> s.sessionId);

  private KMeansTrainer() {}

  /** The model of a window's sessions; null when there are fewer than the minimum. */
  public static KMeansModel train(Collection<Sample> window, long startMillis, long endMillis, Settings s) {
    List<Sample> samples = new ArrayList<>(window);
    samples.sort(SAMPLING_ORDER);
    if (samples.size() > s.maxSessions) {
      samples = new ArrayList<>(samples.subList(0, s.maxSessions));
    }
    if (samples.size() < s.minSessions) {
      return null;
    }
    samples.sort(Comparator.comparing(x -> x.sessionId));
    int n = samples.size();
    int dims = samples.get(0).features.length;
    double[] mean = new double[dims];
    double[] scale = new double[dims];
    for (Sample x : samples) {
      for (int i = 0; i < dims; i++) {
        mean[i] += x.features[i] / n;
      }
    }
    for (Sample x : samples) {
      for (int i = 0; i < dims; i++) {
        scale[i] += (x.features[i] - mean[i]) * (x.features[i] - mean[i]) / n;
      }
    }
    for (int i = 0; i < dims; i++) {
      scale[i] = scale[i] > 1e-12 ? Math.sqrt(scale[i]) : 1; // a constant feature stays as it is
    }
    List<Point> points = new ArrayList<>(n);
    for (Sample x : samples) {
      double[] z = new double[dims];
      for (int i = 0; i < dims; i++) {
        z[i] = (x.features[i] - mean[i]) / scale[i];
      }
      points.add(new Point(z));
    }
    KMeansPlusPlusClusterer<Point> clusterer = new KMeansPlusPlusClusterer<>(Math.min(s.clusters, n),
        s.maxIterations, new EuclideanDistance(), new JDKRandomGenerator((int) s.seed),
        KMeansPlusPlusClusterer.EmptyClusterStrategy.LARGEST_VARIANCE);
    List<CentroidCluster<Point>> clusters = new ArrayList<>(clusterer.cluster(points));
    // Largest first, so cluster numbers read the same way in every model.
    clusters.sort(Comparator.comparingInt((CentroidCluster<Point> c) -> -c.getPoints().size())
        .thenComparing(c -> Arrays.toString(c.getCenter().getPoint())));
    List<double[]> centroids = new ArrayList<>();
    List<double[]> spreads = new ArrayList<>();
    List<Double> thresholds = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    int rare = 0;
    for (CentroidCluster<Point> c : clusters) {
      if (c.getPoints().isEmpty() || c.getPoints().size() < s.minClusterShare * n) {
        rare++;
        continue;
      }
      double[] center = c.getCenter().getPoint();
      double[] spread = spread(c.getPoints(), center);
      double[] distances = new double[c.getPoints().size()];
      for (int i = 0; i < distances.length; i++) {
        distances[i] = KMeansModel.distance(c.getPoints().get(i).z, center, spread);
      }
      Arrays.sort(distances);
      int at = (int) Math.ceil(s.quantile * distances.length) - 1;
      centroids.add(center.clone());
      spreads.add(spread);
      thresholds.add(Math.max(MIN_THRESHOLD, distances[Math.max(0, at)]));
      sizes.add((long) distances.length);
    }
    if (centroids.isEmpty()) {
      return null; // every cluster was too small to call normal
    }
    return new KMeansModel(startMillis, endMillis, n, s.quantile, mean, scale,
        centroids.toArray(new double[0][]), spreads.toArray(new double[0][]), thresholds.stream().mapToDouble(Double::doubleValue).toArray(),
        sizes.stream().mapToLong(Long::longValue).toArray(), rare);
  }

  private static double[] spread(List<Point> members, double[] center) {
    double[] spread = new double[center.length];
    double[] deviations = new double[members.size()];
    for (int f = 0; f < center.length; f++) {
      for (int i = 0; i < deviations.length; i++) {
        deviations[i] = Math.abs(members.get(i).z[f] - center[f]);
      }
      Arrays.sort(deviations);
      int at = Math.max(0, (int) Math.ceil(SPREAD_QUANTILE * deviations.length) - 1);
      spread[f] = Math.max(MIN_SPREAD, deviations[at] / SPREAD_Z);
    }
    return spread;
  }

  private static final class Point implements Clusterable {
    final double[] z;

    Point(double[] z) {
      this.z = z;
    }

    @Override
    public double[] getPoint() {
      return z;
    }
  }
}
