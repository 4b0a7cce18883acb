package dev.meshflow.pipelines.fleet;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.http.HttpPoster;
import dev.meshflow.options.Durations;
import dev.meshflow.pipelines.RunSpec;
import org.joda.time.Duration;

/**
 * What {@code fleet-notify}'s options say, read once.
 *
 * @param poster where alerts are POSTed, or null to print them
 * @param runFor null to run until stopped
 */
public record FleetNotifySpec(RecordSource input, TableSink sink, boolean streaming, Duration runFor,
    Duration minInterval, HttpPoster poster) implements RunSpec {

  /** Reads and checks the options, with messages that say how to fix them. */
  public static FleetNotifySpec of(FleetNotifyPipeline.Options options) {
    Duration minInterval = Durations.parse("notifyMinInterval", options.getNotifyMinInterval());
    Duration timeout = Durations.parse("notifyTimeout", options.getNotifyTimeout());
    if (timeout.getMillis() <= 0) {
      throw new IllegalArgumentException("--notifyTimeout must be positive");
    }
    if (options.getNotifyRetries() < 0 || options.getNotifyRetries() > 10) {
      throw new IllegalArgumentException("--notifyRetries must be between 0 and 10");
    }
    HttpPoster poster = options.getNotifyUrl().isEmpty() ? null : new HttpPoster(options.getNotifyUrl(),
        timeout.getMillis(), options.getNotifyRetries(), Math.max(1, timeout.getMillis() / 10));
    if (options.getRunner().getSimpleName().equals("SparkRunner")) {
      throw new IllegalArgumentException("fleet-notify orders each vehicle's alerts with state and"
          + " event-time timers, which the SparkRunner does not run; use DirectRunner or FlinkRunner");
    }
    boolean streaming = options.isStreaming();
    return new FleetNotifySpec(Endpoints.source("alerts", options.getAlerts(), streaming),
        Endpoints.sink(options.getSink()), streaming, Durations.lifetime(options, streaming),
        minInterval, poster);
  }
}
