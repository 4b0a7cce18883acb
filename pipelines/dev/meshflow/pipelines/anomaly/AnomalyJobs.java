package dev.meshflow.pipelines.anomaly;

import dev.meshflow.io.file.NamedFiles;
import dev.meshflow.options.AnomalyOptions;
import dev.meshflow.options.Durations;
import dev.meshflow.pipelines.ClickstreamInput;
import dev.meshflow.transforms.anomaly.KMeansTrainer;
import org.joda.time.Duration;

/**
 * What the two anomaly jobs' options say, read once: the sessions, from the clickstream domain's
 * own input ({@link ClickstreamInput}, so duplicates, late events and bots are handled as in
 * {@code clickstream-backfill}), and the models.
 *
 * @param models the model directory, as the user gave it
 * @param trainer not changed after it is read
 */
record AnomalyJobs(ClickstreamInput clicks, String models, KMeansTrainer.Settings trainer,
    Duration trainWindow, Duration trainEvery) {
  /** Every option both anomaly jobs read. */
  interface Options extends ClickstreamInput.Options, AnomalyOptions {}

  static AnomalyJobs of(Options options) {
    ClickstreamInput clicks = ClickstreamInput.of(options);
    KMeansTrainer.Settings trainer = trainer(options);
    Duration window = Durations.parse("trainWindow", options.getTrainWindow());
    Duration every = Durations.parse("trainEvery", options.getTrainEvery());
    if (!every.isLongerThan(Duration.ZERO) || !window.isLongerThan(Duration.ZERO)
        || window.getMillis() % every.getMillis() != 0) {
      throw new IllegalArgumentException("--trainWindow=" + options.getTrainWindow() + " must be a positive"
          + " multiple of --trainEvery=" + options.getTrainEvery() + " (for example 3d and 1h)");
    }
    if (options.getModels().isBlank()) {
      throw new IllegalArgumentException("--models must name a directory");
    }
    NamedFiles.directory(options.getModels());
    return new AnomalyJobs(clicks, options.getModels(), trainer, window, every);
  }

  /** The models the model job publishes and the scoring job reads. */
  String modelGlob() {
    return NamedFiles.directory(models).toString() + "kmeans-*.json";
  }

  private static KMeansTrainer.Settings trainer(AnomalyOptions options) {
    KMeansTrainer.Settings s = new KMeansTrainer.Settings();
    s.clusters = options.getClusters();
    s.quantile = options.getThresholdQuantile();
    s.minClusterShare = options.getRareClusterShare();
    s.minSessions = options.getMinTrainingSessions();
    s.maxSessions = options.getMaxTrainingSessions();
    s.seed = options.getKmeansSeed();
    s.maxIterations = options.getKmeansIterations();
    try {
      s.validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--clusters, --thresholdQuantile, --rareClusterShare,"
          + " --minTrainingSessions, --maxTrainingSessions, --kmeansIterations: " + e.getMessage());
    }
    return s;
  }
}
