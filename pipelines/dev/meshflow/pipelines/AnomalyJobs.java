package dev.meshflow.pipelines;

import dev.meshflow.io.Endpoints;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.file.NamedFiles;
import dev.meshflow.options.AnomalyOptions;
import dev.meshflow.options.Durations;
import dev.meshflow.transforms.anomaly.KMeansTrainer;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.Products;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.joda.time.Duration;

/**
 * What the two anomaly jobs share: the session features come from the clickstream domain's own
 * transform ({@link Clickstream}, so sessions, duplicates, late events and bots are handled as in
 * {@code clickstream-backfill}), and the options that describe the models.
 */
final class AnomalyJobs {
  /** Every option both anomaly jobs read. */
  interface Options extends ClickstreamBackfillPipeline.Options, AnomalyOptions {}

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
    ClickstreamBackfillPipeline.validate(options);
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

  /** The clickstream transform's outputs (sessions, dead letters, ...) for the jobs' input. */
  static PCollectionTuple clickstream(Pipeline pipeline, Options options) {
    RecordSource source = Endpoints.source("clicks", options.getClicks(), options.isStreaming());
    Duration runFor = Durations.lifetime(options, options.isStreaming());
    PCollectionView<Products> products = ClickstreamBackfillPipeline.productsView(pipeline, options, source);
    return pipeline
        .apply("ReadClicks", source.read(runFor))
        .apply("Clickstream", new Clickstream(ClickstreamBackfillPipeline.settings(options), products));
  }
}
