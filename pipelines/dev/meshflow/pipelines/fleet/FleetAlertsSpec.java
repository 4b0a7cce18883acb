package dev.meshflow.pipelines.fleet;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.options.Durations;
import dev.meshflow.pipelines.RefreshedSideInputs;
import dev.meshflow.pipelines.RunSpec;
import org.joda.time.Duration;

/**
 * What {@code fleet-alerts}'s options say, read once.
 *
 * @param generatedZones the generator's zones, or null to read {@code zonesFile}
 * @param zonesFile the zones GeoJSON file, or null with generated zones
 * @param alertsStream where alerts are published as well, or null
 * @param runFor null to run until stopped
 */
public record FleetAlertsSpec(RecordSource input, TableSink sink, boolean streaming, Duration runFor,
    Duration speedWindow, Duration speedPeriod, Duration orderingInterval, String generatedZones,
    String zonesFile, Duration zonesRefresh, TableSink alertsStream) implements RunSpec {

  /** Reads and checks the options, with messages that say how to fix them. */
  public static FleetAlertsSpec of(FleetAlertsPipeline.Options options) {
    Duration window = Durations.parse("speedWindow", options.getSpeedWindow());
    Duration period = Durations.parse("speedPeriod", options.getSpeedPeriod());
    if (period.isLongerThan(window) || period.getMillis() <= 0) {
      throw new IllegalArgumentException("--speedPeriod=" + options.getSpeedPeriod()
          + " must be positive and at most --speedWindow=" + options.getSpeedWindow());
    }
    if (window.getMillis() % period.getMillis() != 0) {
      throw new IllegalArgumentException("--speedWindow=" + options.getSpeedWindow()
          + " must be a whole number of --speedPeriod=" + options.getSpeedPeriod()
          + ", so consecutive windows line up");
    }
    Duration ordering = Durations.parse("orderingInterval", options.getOrderingInterval());
    if (ordering.getMillis() <= 0) {
      throw new IllegalArgumentException("--orderingInterval must be positive");
    }
    boolean generated = options.getZones().equals("generator");
    Duration zonesRefresh = generated ? Duration.ZERO
        : RefreshedSideInputs.refresh("zonesRefresh", options.getZonesRefresh(), options);
    Duration runFor = Durations.lifetime(options, options.isStreaming());
    if (options.getRunner().getSimpleName().equals("SparkRunner")) {
      throw new IllegalArgumentException("fleet-alerts puts each vehicle's reports in order with"
          + " state and event-time timers, which the SparkRunner does not run; use DirectRunner or"
          + " FlinkRunner (batch and streaming)");
    }
    RecordSource source = Endpoints.source("positions", options.getPositions(), options.isStreaming());
    String generatedZones = null;
    if (generated) {
      generatedZones = source.referenceData(RecordSource.ZONES).orElseThrow(() -> new IllegalArgumentException(
          "--zones=generator needs --positions=generator:vehicles...; for other sources give"
              + " --zones=<GeoJSON file>"));
    }
    TableSink sink = Endpoints.sink(options.getSink());
    TableSink alertsStream = options.getAlertsStream().isEmpty() ? null
        : Endpoints.sink(alertsStreamUri(options.getAlertsStream()));
    return new FleetAlertsSpec(source, sink, options.isStreaming(), runFor, window, period, ordering,
        generatedZones, generated ? null : options.getZones(), zonesRefresh, alertsStream);
  }

  /** A Kafka stream gets the alerts on the topic itself, not on {@code <topic>.alerts_stream}. */
  private static String alertsStreamUri(String uri) {
    if (uri.startsWith("kafka:") && !uri.contains("table=")) {
      return uri + (uri.contains("?") ? "&" : "?") + "table=" + FleetAlertsPipeline.ALERTS_STREAM;
    }
    return uri;
  }
}
