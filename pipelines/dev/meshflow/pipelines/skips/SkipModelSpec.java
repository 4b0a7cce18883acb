package dev.meshflow.pipelines.skips;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.pipelines.RunSpec;
import java.util.Map;

/** What {@code skip-model}'s options say, read once. */
public record SkipModelSpec(SkipJobs jobs, boolean latestWindowOnly) implements RunSpec {
  public static SkipModelSpec of(SkipModelPipeline.Options options) {
    SkipJobs jobs = SkipJobs.of(options, SkipModelPipeline.NAME);
    if (options.isLatestWindowOnly() && options.isStreaming()) {
      throw new IllegalArgumentException("--latestWindowOnly is for batch runs over history; a streaming"
          + " run trains each window as it closes");
    }
    return new SkipModelSpec(jobs, options.isLatestWindowOnly());
  }

  @Override
  public RecordSource input() {
    return jobs.input();
  }

  @Override
  public TableSink sink() {
    return jobs.sink();
  }

  @Override
  public Map<String, String> fileOutputs() {
    return Map.of("models", jobs.models());
  }
}
