package dev.meshflow.pipelines.skips;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.options.Durations;
import dev.meshflow.pipelines.RefreshedSideInputs;
import dev.meshflow.pipelines.RunSpec;
import dev.meshflow.transforms.inference.ModelRef;
import org.joda.time.Duration;

/**
 * What {@code skip-scoring}'s options say, read once.
 *
 * @param initialModel the newest model in --models when the run starts; null until prepared
 */
public record SkipScoringSpec(SkipJobs jobs, Duration modelsRefresh, int inferenceBatchSize,
    Duration inferenceMaxWait, double actionThreshold, double minAuc, double maxPsi,
    int minEvaluationRows, boolean retrain, ModelRef initialModel) implements RunSpec {

  public static SkipScoringSpec of(SkipScoringPipeline.Options options) {
    SkipJobs jobs = SkipJobs.of(options, SkipScoringPipeline.NAME);
    Duration refresh = RefreshedSideInputs.refresh("modelsRefresh", options.getModelsRefresh(), options);
    Duration wait = Durations.parse("inferenceMaxWait", options.getInferenceMaxWait());
    if (options.getInferenceBatchSize() < 1) {
      throw new IllegalArgumentException("--inferenceBatchSize must be at least 1");
    }
    if (wait.getMillis() < 0) {
      throw new IllegalArgumentException("--inferenceMaxWait must not be negative");
    }
    if (options.getMinAuc() < 0 || options.getMinAuc() > 1 || options.getActionThreshold() < 0
        || options.getActionThreshold() > 1) {
      throw new IllegalArgumentException("--minAuc and --actionThreshold are probabilities: use values in [0, 1]");
    }
    if (options.getMaxPsi() <= 0) {
      throw new IllegalArgumentException("--maxPsi must be positive (0.25 is the usual alarm level)");
    }
    return new SkipScoringSpec(jobs, refresh, options.getInferenceBatchSize(), wait,
        options.getActionThreshold(), options.getMinAuc(), options.getMaxPsi(),
        options.getMinEvaluationRows(), options.getRetrain(), null);
  }

  /** This spec, starting with {@code model}. */
  SkipScoringSpec startingWith(ModelRef model) {
    return new SkipScoringSpec(jobs, modelsRefresh, inferenceBatchSize, inferenceMaxWait,
        actionThreshold, minAuc, maxPsi, minEvaluationRows, retrain, model);
  }

  @Override
  public RecordSource input() {
    return jobs.input();
  }

  @Override
  public TableSink sink() {
    return jobs.sink();
  }
}
