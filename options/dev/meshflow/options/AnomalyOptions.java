package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where anomaly models live, and how {@code anomaly-model} trains them. */
public interface AnomalyOptions extends PipelineOptions {
  @Description(
      "The model location: a directory (local path, file:/dir, or any Beam file system) that"
          + " anomaly-model writes one kmeans-<window end>.json per training window into, and"
          + " anomaly-scoring reads the newest from.")
  @Default.String("meshflow-data/anomaly-models")
  String getModels();

  void setModels(String value);

  @Description("How much recent data each model is trained on (a sliding window by session start).")
  @Default.String("3d")
  String getTrainWindow();

  void setTrainWindow(String value);

  @Description("How often a new model is trained: the sliding window's period. --trainWindow must be a multiple.")
  @Default.String("1h")
  String getTrainEvery();

  void setTrainEvery(String value);

  @Description("k: the number of clusters k-means++ looks for.")
  @Default.Integer(12)
  int getClusters();

  void setClusters(int value);

  @Description(
      "Per cluster, the distance threshold is this quantile of its own sessions' distances: about"
          + " (1 - q) of normal sessions will be called anomalies.")
  @Default.Double(0.998)
  double getThresholdQuantile();

  void setThresholdQuantile(double value);

  @Description(
      "A cluster holding less than this share of a window's sessions is not a normal: it is left"
          + " out of the model, so its members score as anomalies.")
  @Default.Double(0.01)
  double getRareClusterShare();

  void setRareClusterShare(double value);

  @Description("A window with fewer human sessions than this publishes no model.")
  @Default.Integer(50)
  int getMinTrainingSessions();

  void setMinTrainingSessions(int value);

  @Description("At most this many sessions per window are trained on (a seeded sample beyond it), bounding memory.")
  @Default.Integer(50_000)
  int getMaxTrainingSessions();

  void setMaxTrainingSessions(int value);

  @Description("Seed of k-means++'s initial centers: the same data and seed give the same model on every runner.")
  @Default.Long(7)
  long getKmeansSeed();

  void setKmeansSeed(long value);

  @Description("The most k-means iterations per model.")
  @Default.Integer(100)
  int getKmeansIterations();

  void setKmeansIterations(int value);

  @Description(
      "anomaly-scoring, streaming: how often the model location is re-read, so a new model is used"
          + " without a restart. 0s: read once at start.")
  @Default.String("30s")
  String getModelsRefresh();

  void setModelsRefresh(String value);
}
