package dev.meshflow.transforms.anomaly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.List;

/**
 * A published anomaly model: the clusters of one training window's sessions in standardized
 * feature space, each with its own spread per feature, and per cluster the distance (in units of
 * that spread) within which the given quantile of its own sessions lie. A session is anomalous when it is beyond that distance from its nearest cluster, that is
 * when its score (distance over threshold) exceeds 1. Saved as one line of JSON; doubles survive
 * the round trip exactly, so the scoring job uses the very numbers the model job computed.
 */
public final class KMeansModel implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final String id;
  public final long windowStartMillis;
  public final long windowEndMillis;
  public final long sessions;
  public final double quantile;
  public final double[] mean;
  public final double[] scale;
  public final double[][] centroids;
  /** Per cluster and feature, how far its own sessions typically spread (robust to outliers). */
  public final double[][] spreads;
  public final double[] thresholds;
  public final long[] sizes;
  /** Clusters left out because they held too few sessions: their members count as anomalies. */
  public final int rareClusters;

  public KMeansModel(long windowStartMillis, long windowEndMillis, long sessions, double quantile,
      double[] mean, double[] scale, double[][] centroids, double[][] spreads, double[] thresholds,
      long[] sizes, int rareClusters) {
    this.id = idFor(windowEndMillis);
    this.windowStartMillis = windowStartMillis;
    this.windowEndMillis = windowEndMillis;
    this.sessions = sessions;
    this.quantile = quantile;
    this.mean = mean;
    this.scale = scale;
    this.centroids = centroids;
    this.spreads = spreads;
    this.thresholds = thresholds;
    this.sizes = sizes;
    this.rareClusters = rareClusters;
  }

  /** Named after the end of its training window: a retrain of the same window replaces it. */
  public static String idFor(long windowEndMillis) {
    return "kmeans-" + java.time.Instant.ofEpochMilli(windowEndMillis).toString()
        .replace(":", "").replace("-", "").replace(".000", "");
  }

  /** Where a session stands against the model. */
  public static final class Score {
    public final int cluster;
    public final double distance;
    public final double threshold;

    Score(int cluster, double distance, double threshold) {
      this.cluster = cluster;
      this.distance = distance;
      this.threshold = threshold;
    }

    public double value() {
      return distance / threshold;
    }

    public boolean isAnomaly() {
      return distance > threshold;
    }
  }

  public double[] standardize(double[] features) {
    double[] z = new double[features.length];
    for (int i = 0; i < z.length; i++) {
      z[i] = (features[i] - mean[i]) / scale[i];
    }
    return z;
  }

  /** The nearest cluster by distance relative to its threshold, the scale anomalies are judged on. */
  public Score score(double[] features) {
    double[] z = standardize(features);
    Score best = null;
    for (int c = 0; c < centroids.length; c++) {
      double d = distance(z, centroids[c], spreads[c]);
      if (best == null || d / thresholds[c] < best.value()) {
        best = new Score(c, d, thresholds[c]);
      }
    }
    return best;
  }

  /** Euclidean distance with each feature measured in units of the cluster's spread. */
  static double distance(double[] z, double[] centroid, double[] spread) {
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      double d = (z[i] - centroid[i]) / spread[i];
      sum += d * d;
    }
    return Math.sqrt(sum);
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("model_id", id);
    root.put("window_start", java.time.Instant.ofEpochMilli(windowStartMillis).toString());
    root.put("window_end", java.time.Instant.ofEpochMilli(windowEndMillis).toString());
    root.put("sessions", sessions);
    root.put("quantile", quantile);
    root.put("rare_clusters", rareClusters);
    ArrayNode names = root.putArray("features");
    SessionFeatures.NAMES.forEach(names::add);
    array(root.putArray("mean"), mean);
    array(root.putArray("scale"), scale);
    ArrayNode clusters = root.putArray("clusters");
    for (int c = 0; c < centroids.length; c++) {
      ObjectNode cluster = clusters.addObject();
      array(cluster.putArray("centroid"), centroids[c]);
      array(cluster.putArray("spread"), spreads[c]);
      cluster.put("threshold", thresholds[c]);
      cluster.put("size", sizes[c]);
    }
    return root.toString();
  }

  private static void array(ArrayNode node, double[] values) {
    for (double v : values) {
      node.add(v);
    }
  }

  /** Reads a model line; throws IllegalArgumentException naming what is wrong. */
  public static KMeansModel fromJson(String line) {
    try {
      JsonNode root = JSON.readTree(line);
      List<String> names = JSON.convertValue(root.get("features"), JSON.getTypeFactory()
          .constructCollectionType(List.class, String.class));
      if (!SessionFeatures.NAMES.equals(names)) {
        throw new IllegalArgumentException("features " + names + " are not " + SessionFeatures.NAMES);
      }
      JsonNode clusters = root.get("clusters");
      double[][] centroids = new double[clusters.size()][];
      double[][] spreads = new double[clusters.size()][];
      double[] thresholds = new double[clusters.size()];
      long[] sizes = new long[clusters.size()];
      for (int c = 0; c < clusters.size(); c++) {
        centroids[c] = doubles(clusters.get(c).get("centroid"));
        spreads[c] = doubles(clusters.get(c).get("spread"));
        thresholds[c] = clusters.get(c).get("threshold").asDouble();
        sizes[c] = clusters.get(c).get("size").asLong();
      }
      KMeansModel m = new KMeansModel(
          java.time.Instant.parse(root.get("window_start").asText()).toEpochMilli(),
          java.time.Instant.parse(root.get("window_end").asText()).toEpochMilli(),
          root.get("sessions").asLong(), root.get("quantile").asDouble(),
          doubles(root.get("mean")), doubles(root.get("scale")), centroids, spreads, thresholds, sizes,
          root.get("rare_clusters").asInt());
      if (!m.id.equals(root.get("model_id").asText()) || centroids.length == 0) {
        throw new IllegalArgumentException("model_id does not match its window, or there are no clusters");
      }
      return m;
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException("not a meshflow k-means model: " + e.getMessage(), e);
    }
  }

  private static double[] doubles(JsonNode node) {
    double[] out = new double[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = node.get(i).asDouble();
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KMeansModel && toJson().equals(((KMeansModel) o).toJson());
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return id + " (" + sessions + " sessions, " + centroids.length + " clusters, window "
        + java.time.Instant.ofEpochMilli(windowStartMillis) + ".."
        + java.time.Instant.ofEpochMilli(windowEndMillis) + ")";
  }
}
