package dev.meshflow.pipelines.anomaly;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.pipelines.RunSpec;
import java.util.Map;

/** What {@code anomaly-model}'s options say, read once. */
public record AnomalyModelSpec(AnomalyJobs jobs) implements RunSpec {
  public static AnomalyModelSpec of(AnomalyModelPipeline.Options options) {
    return new AnomalyModelSpec(AnomalyJobs.of(options));
  }

  @Override
  public RecordSource input() {
    return jobs.clicks().input();
  }

  @Override
  public TableSink sink() {
    return jobs.clicks().sink();
  }

  @Override
  public Map<String, String> fileOutputs() {
    return Map.of("models", jobs.models());
  }
}
