package dev.meshflow.pipelines.fleet;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.options.FleetOptions;
import dev.meshflow.options.GovernanceOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.pipelines.LocalReferenceFile;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.ReadSource;
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
      extends GovernanceOptions, FleetOptions, SinkOptions, LauncherOptions, RunForOptions, StreamingOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, FleetAlertsSpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, FleetAlertsSpec::of)
          .domain("operations")
          .prepare(FleetAlertsPipeline::prepare)
          .steps(FleetAlertsPipeline::build)
          .exampleQuery("SELECT alert_type, count(*) AS alerts, count(DISTINCT vehicle_id) AS vehicles FROM alerts"
            + " GROUP BY alert_type ORDER BY alert_type")
          .build();

  /** The alerts stream's table name: its folder in a file sink, and what the run summary counts. */
  public static final String ALERTS_STREAM = "alerts_stream";

  private FleetAlertsPipeline() {}

  /** Reads the options, prepares, then builds the pipeline and starts it; does not wait for it. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  /** A zones file is read now, so a missing or malformed one fails here and not on a worker. */
  static FleetAlertsSpec prepare(FleetAlertsSpec spec) {
    if (spec.zonesFile() != null) {
      LocalReferenceFile.check("zones", spec.zonesFile(), Zones::parse);
    }
    return spec;
  }

  static void build(Pipeline pipeline, FleetAlertsSpec spec) {
    TableSink sink = spec.sink();
    PCollectionView<Zones> zones = zonesView(pipeline, spec);
    FleetAlerts fleet = spec.streaming()
        ? FleetAlerts.streaming(zones, spec.speedWindow(), spec.speedPeriod(), spec.orderingInterval())
        : FleetAlerts.batch(zones, spec.speedWindow(), spec.speedPeriod());
    PCollectionTuple results = ReadSource.apply(pipeline, "ReadPositions", spec.input(), spec.runFor(), sink)
        .apply("FleetAlerts", fleet);

    PCollection<Row> alerts = results.get(FleetAlerts.ALERTS);
    PCollection<DeadLetter> refusedStats = WarehouseWrites.upsert("WriteMinuteStats",
        results.get(FleetAlerts.MINUTE_STATS), sink, VehicleMinuteStats.TABLE, VehicleMinuteStats.KEY);
    PCollection<DeadLetter> refusedAlerts = WarehouseWrites.upsert("WriteAlerts", alerts, sink,
        Alerts.TABLE, Alerts.KEY);
    if (spec.alertsStream() != null) {
      alerts.apply("PublishAlerts", spec.alertsStream().upsert(ALERTS_STREAM, Alerts.KEY));
    }
    WarehouseWrites.writeDeadLetters(PCollectionList.of(results.get(FleetAlerts.DEAD_LETTERS))
        .and(refusedStats).and(refusedAlerts), sink);
  }

  private static PCollectionView<Zones> zonesView(Pipeline pipeline, FleetAlertsSpec spec) {
    PCollection<String> geoJson;
    if (spec.generatedZones() != null) {
      geoJson = pipeline.apply("GeneratorZones", Create.of(spec.generatedZones()));
    } else {
      FileSnapshots snapshots = FileSnapshots.forInput(spec.zonesFile(), !spec.input().isBounded(),
          spec.zonesRefresh(), spec.runFor());
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
