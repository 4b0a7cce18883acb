package dev.meshflow.pipelines.anomaly;

import dev.meshflow.io.file.NamedFiles;
import dev.meshflow.options.AnomalyOptions;
import dev.meshflow.options.Durations;
import dev.meshflow.pipelines.ClickstreamInput;
import dev.meshflow.transforms.anomaly.KMeansTrainer;
import org.joda.time.Duration;

/**
 * What the two anomaly jobs share: the options that describe the models. Their sessions come from
 * the clickstream domain's own input ({@link ClickstreamInput#clickstream}), so
 * duplicates, late events and bots are handled as in {@code clickstream-backfill}.
 */
final class AnomalyJobs {
  /** Every option both anomaly jobs read. */
  interface Options extends ClickstreamInput.Options, AnomalyOptions {}

  private AnomalyJobs() {}

  static KMeansTrainer.Settings trainer(AnomalyOptions options) {
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

  static void validate(Options options) {
    ClickstreamInput.validate(options);
    trainer(options);
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
  }
}
