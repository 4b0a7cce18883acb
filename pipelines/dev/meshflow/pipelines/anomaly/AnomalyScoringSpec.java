package dev.meshflow.pipelines.anomaly;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.pipelines.RefreshedSideInputs;
import dev.meshflow.pipelines.RunSpec;
import org.joda.time.Duration;

/** What {@code anomaly-scoring}'s options say, read once. */
public record AnomalyScoringSpec(AnomalyJobs jobs, Duration modelsRefresh) implements RunSpec {
  public static AnomalyScoringSpec of(AnomalyScoringPipeline.Options options) {
    return new AnomalyScoringSpec(AnomalyJobs.of(options),
        RefreshedSideInputs.refresh("modelsRefresh", options.getModelsRefresh(), options));
  }

  @Override
  public RecordSource input() {
    return jobs.clicks().input();
  }

  @Override
  public TableSink sink() {
    return jobs.clicks().sink();
  }
}
