package dev.meshflow.pipelines.fleet;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.AfterRun;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.options.Durations;
import dev.meshflow.options.FleetOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.pipelines.LocalReferenceFile;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.ReadSource;
import dev.meshflow.pipelines.RefreshedSideInputs;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.fleet.Alerts;
import dev.meshflow.transforms.fleet.FleetAlerts;
import dev.meshflow.transforms.fleet.VehicleMinuteStats;
import dev.meshflow.transforms.fleet.Zones;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Latest;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;

/**
 * Fleet telemetry: per-vehicle minute statistics, SPEEDING and GEOFENCE_EXIT alerts with their
 * evidence, in batch (a backfill over history files) or streaming, from the same transform.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read position reports from {@code --positions}; read the zones (refreshed while an endless
 *       source runs) into a side input.
 *   <li>Run {@link FleetAlerts}.
 *   <li>Upsert {@code vehicle_minute_stats} and {@code alerts} into {@code --sink}, and the alerts
 *       to {@code --alertsStream} as well; dead letters to the sink's dead_letter table.
 * </ol>
 */
public final class FleetAlertsPipeline {
  public static final String NAME = "fleet-alerts";
  public static final String DESCRIPTION =
      "Vehicle positions: minute statistics, SPEEDING and GEOFENCE_EXIT alerts, batch or streaming";

  /** Every option this pipeline reads. */
  public interface Options
      extends FleetOptions, SinkOptions, LauncherOptions, RunForOptions, StreamingOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class)
          .validate(FleetAlertsPipeline::validate)
          .run(FleetAlertsPipeline::run)
          .input(o -> Endpoints.source("positions", o.getPositions(), o.isStreaming()))
          .exampleQuery("SELECT alert_type, count(*) AS alerts, count(DISTINCT vehicle_id) AS vehicles FROM alerts"
            + " GROUP BY alert_type ORDER BY alert_type")
          .build();

  /** The alerts stream's table name: its folder in a file sink, and what the run summary counts. */
  public static final String ALERTS_STREAM = "alerts_stream";

  private FleetAlertsPipeline() {}

  /** A Kafka stream gets the alerts on the topic itself, not on {@code <topic>.alerts_stream}. */
  static String alertsStream(Options options) {
    String uri = options.getAlertsStream();
    if (uri.startsWith("kafka:") && !uri.contains("table=")) {
      return uri + (uri.contains("?") ? "&" : "?") + "table=" + ALERTS_STREAM;
    }
    return uri;
  }

  /** Checks options that depend on each other, with messages that say how to fix them. */
  public static void validate(Options options) {
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
    if (!options.getZones().equals("generator")) {
      RefreshedSideInputs.check("zonesRefresh", options.getZonesRefresh(), options);
    }
    Durations.lifetime(options, options.isStreaming());
    if (options.getRunner().getSimpleName().equals("SparkRunner")) {
      throw new IllegalArgumentException("fleet-alerts puts each vehicle's reports in order with"
          + " state and event-time timers, which the SparkRunner does not run; use DirectRunner or"
          + " FlinkRunner (batch and streaming)");
    }
    RecordSource source = Endpoints.source("positions", options.getPositions(), options.isStreaming());
    if (options.getZones().equals("generator") && source.referenceData(RecordSource.ZONES).isEmpty()) {
      throw new IllegalArgumentException("--zones=generator needs --positions=generator:vehicles...;"
          + " for other sources give --zones=<GeoJSON file>");
    }
    if (!options.getZones().equals("generator")) {
      LocalReferenceFile.check("zones", options.getZones(), Zones::parse);
    }
    Endpoints.sink(options.getSink());
    if (!options.getAlertsStream().isEmpty()) {
      Endpoints.sink(alertsStream(options));
    }
  }

  /** Builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    validate(options);
    return AfterRun.start(build(options));
  }

  public static Pipeline build(Options options) {
    RecordSource source = Endpoints.source("positions", options.getPositions(), options.isStreaming());
    TableSink sink = Endpoints.sink(options.getSink());
    Duration runFor = Durations.lifetime(options, options.isStreaming());
    Duration window = Durations.parse("speedWindow", options.getSpeedWindow());
    Duration period = Durations.parse("speedPeriod", options.getSpeedPeriod());

    Pipeline pipeline = Pipeline.create(options);
    PCollectionView<Zones> zones = zonesView(pipeline, options, source, runFor);
    FleetAlerts fleet = options.isStreaming()
        ? FleetAlerts.streaming(zones, window, period,
            Durations.parse("orderingInterval", options.getOrderingInterval()))
        : FleetAlerts.batch(zones, window, period);
    PCollectionTuple results = ReadSource.apply(pipeline, "ReadPositions", source, runFor, sink)
        .apply("FleetAlerts", fleet);

    PCollection<Row> alerts = results.get(FleetAlerts.ALERTS);
    PCollection<DeadLetter> refusedStats = WarehouseWrites.upsert("WriteMinuteStats",
        results.get(FleetAlerts.MINUTE_STATS), sink, VehicleMinuteStats.TABLE, VehicleMinuteStats.KEY);
    PCollection<DeadLetter> refusedAlerts = WarehouseWrites.upsert("WriteAlerts", alerts, sink,
        Alerts.TABLE, Alerts.KEY);
    if (!options.getAlertsStream().isEmpty()) {
      alerts.apply("PublishAlerts", Endpoints.sink(alertsStream(options)).upsert(ALERTS_STREAM, Alerts.KEY));
    }
    WarehouseWrites.writeDeadLetters(PCollectionList.of(results.get(FleetAlerts.DEAD_LETTERS))
        .and(refusedStats).and(refusedAlerts), sink);
    return pipeline;
  }

  private static PCollectionView<Zones> zonesView(Pipeline pipeline, Options options,
      RecordSource source, Duration runFor) {
    PCollection<String> geoJson;
    if (options.getZones().equals("generator")) {
      geoJson = pipeline.apply("GeneratorZones", Create.of(source.referenceData(RecordSource.ZONES).orElseThrow()));
    } else {
      FileSnapshots snapshots = FileSnapshots.forInput(options.getZones(), !source.isBounded(),
          Durations.parse("zonesRefresh", options.getZonesRefresh()), runFor);
      geoJson = pipeline.apply("ReadZones", snapshots)
          .apply("JoinLines", MapElements.into(TypeDescriptor.of(String.class))
              .via((List<String> lines) -> String.join("\n", lines)));
    }
    return geoJson
        .apply("ParseZones", MapElements.into(TypeDescriptor.of(Zones.class)).via(Zones::parse))
        .setCoder(SerializableCoder.of(Zones.class))
        .apply("LatestZones", Latest.globally())
        .apply("ZonesView", View.asSingleton());
  }
}
