package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** What {@code fleet-alerts} reads, how it averages speeds, and where its alerts go. */
public interface FleetOptions extends OrderingOptions {
  @Description(
      "Position reports {vehicle_id, ts, lat, lon, speed_kmh?} as a source URI:"
          + " generator:vehicles?vehicles=V&events=N&seed=S (seeded fleet with planted speeding and"
          + " geofence exits), file:<glob> (JSON lines; history backfill in batch, watched with"
          + " --streaming), kafka://host:port/topic or kinesis://stream (with --streaming).")
  @Default.String("generator:vehicles?vehicles=50&events=36000&seed=42")
  String getPositions();

  void setPositions(String value);

  @Description(
      "Zones as a GeoJSON FeatureCollection file of polygons with properties zone_id and"
          + " speed_limit_kmh. 'generator': the vehicle generator's own map.")
  @Default.String("generator")
  String getZones();

  void setZones(String value);

  @Description("Streaming: re-read the zones file this often, so edits apply while running."
      + " 0s: read once at start (needed on FlinkRunner).")
  @Default.String("5m")
  String getZonesRefresh();

  void setZonesRefresh(String value);

  @Description("Length of the sliding window the average speed is taken over.")
  @Default.String("1m")
  String getSpeedWindow();

  void setSpeedWindow(String value);

  @Description("How often a new sliding speed window starts.")
  @Default.String("10s")
  String getSpeedPeriod();

  void setSpeedPeriod(String value);

  @Description(
      "The alerts stream, besides the warehouse's alerts table: kafka://host:port/topic, or"
          + " file:<dir> (JSON lines under <dir>/alerts_stream/yyyy/MM/dd/HH/). Empty: the"
          + " warehouse table only.")
  @Default.String("file:warehouse/alerts-stream")
  String getAlertsStream();

  void setAlertsStream(String value);
}
