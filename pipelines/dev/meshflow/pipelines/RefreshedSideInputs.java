package dev.meshflow.pipelines;

import dev.meshflow.options.Durations;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;
import org.joda.time.Duration;

/**
 * Where a reference file re-read while the job runs (a side input fed by a ticker) can be used.
 * On the FlinkRunner in streaming mode such a side input never reached the workers before the run
 * ended in our tests ({@code FleetStreamingKafkaTest}): the main input waited for it, and met it
 * empty at the end. Reading the file once at start works there, so that is what we offer.
 */
public final class RefreshedSideInputs {
  private RefreshedSideInputs() {}

  /** The refresh interval {@code --option=value} names, refused where it cannot work. */
  public static Duration refresh(String option, String value, PipelineOptions options) {
    Duration refresh = Durations.parse(option, value);
    boolean streaming = options.as(StreamingOptions.class).isStreaming();
    if (streaming && refresh.getMillis() > 0 && options.getRunner().getSimpleName().equals("FlinkRunner")) {
      throw new IllegalArgumentException("--" + option + "=" + value + ": on FlinkRunner a reference"
          + " file re-read while streaming does not reach the running job; use --" + option
          + "=0s to read it once at start (restart the job to pick up a change), or DirectRunner");
    }
    return refresh;
  }
}
