package dev.meshflow.pipelines.interactions;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.options.Durations;
import dev.meshflow.pipelines.RunSpec;
import org.joda.time.Duration;

/**
 * What {@code interaction-analytics}'s options say, read once.
 *
 * @param runFor null to run until stopped
 */
public record InteractionAnalyticsSpec(RecordSource input, TableSink sink, boolean streaming,
    Duration runFor, Duration dedupeWindow, Duration allowedLateness, Duration earlyFiringInterval)
    implements RunSpec {

  /** Reads and checks the options, with messages that say how to fix them. */
  public static InteractionAnalyticsSpec of(InteractionAnalyticsPipeline.Options options) {
    boolean streaming = options.isStreaming();
    Duration lateness = Durations.parse("allowedLateness", options.getAllowedLateness());
    Duration dedupe = Durations.parse("dedupeWindow", options.getDedupeWindow());
    Duration early = Durations.parse("earlyFiringInterval", options.getEarlyFiringInterval());
    if (!streaming && early.getMillis() > 0) {
      throw new IllegalArgumentException(
          "--earlyFiringInterval only applies with --streaming; batch results are final at once");
    }
    if (lateness.isLongerThan(Duration.standardDays(7))) {
      throw new IllegalArgumentException("--allowedLateness=" + options.getAllowedLateness()
          + " keeps every window open for over a week; use at most 7d");
    }
    if (streaming && options.getRunner().getSimpleName().equals("SparkRunner")) {
      throw new IllegalArgumentException(
          "SparkRunner's streaming mode rejects event-time timers, which the late split and the"
              + " streaming dedupe need; run --streaming on DirectRunner or FlinkRunner, or run"
              + " this pipeline on Spark in batch (without --streaming)");
    }
    if (options.getProgressSeconds() < 0) {
      throw new IllegalArgumentException("--progressSeconds must be 0 (off) or more");
    }
    return new InteractionAnalyticsSpec(Endpoints.source(options.getSource(), streaming),
        Endpoints.sink(options.getSink()), streaming, Durations.lifetime(options, streaming),
        dedupe, lateness, early);
  }
}
