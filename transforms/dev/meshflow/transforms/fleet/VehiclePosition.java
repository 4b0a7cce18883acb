package dev.meshflow.transforms.fleet;

import java.util.Objects;

/**
 * One position report. Parsing fills the reported fields; zone lookup adds the zone the point lies
 * in; {@link VehicleTrack} fills a missing speed and marks the first point of a geofence exit.
 */
public final class VehiclePosition {
  public final String vehicleId;
  public final long tsMillis;
  public final double lat;
  public final double lon;
  /** km/h; null when the report had none and nothing earlier could fill it. */
  public final Double speedKmh;
  public final boolean speedFilled;
  /** The zone the point lies in, or null outside every zone. */
  public final String zoneId;
  /** That zone's limit in km/h, 0 outside every zone. */
  public final int limitKmh;
  /** On the first point outside after being inside: the zone left; otherwise null. */
  public final String exitedZoneId;
  public final String origin;
  /** The original bytes, kept until the track step (a too-late report is dead-lettered there). */
  public final byte[] payload;

  public VehiclePosition(String vehicleId, long tsMillis, double lat, double lon, Double speedKmh,
      boolean speedFilled, String zoneId, int limitKmh, String exitedZoneId, String origin,
      byte[] payload) {
    this.vehicleId = vehicleId;
    this.tsMillis = tsMillis;
    this.lat = lat;
    this.lon = lon;
    this.speedKmh = speedKmh;
    this.speedFilled = speedFilled;
    this.zoneId = zoneId;
    this.limitKmh = limitKmh;
    this.exitedZoneId = exitedZoneId;
    this.origin = origin;
    this.payload = payload;
  }

  public VehiclePosition inZone(String zone, int limit) {
    return new VehiclePosition(vehicleId, tsMillis, lat, lon, speedKmh, speedFilled, zone, limit,
        exitedZoneId, origin, payload);
  }

  /** After the track step: speed filled, exit marked, payload dropped. */
  public VehiclePosition tracked(Double speed, boolean filled, String exited) {
    return new VehiclePosition(vehicleId, tsMillis, lat, lon, speed, filled, zoneId, limitKmh,
        exited, origin, new byte[0]);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof VehiclePosition)) {
      return false;
    }
    VehiclePosition p = (VehiclePosition) o;
    return tsMillis == p.tsMillis && lat == p.lat && lon == p.lon && speedFilled == p.speedFilled
        && limitKmh == p.limitKmh && vehicleId.equals(p.vehicleId) && Objects.equals(speedKmh, p.speedKmh)
        && Objects.equals(zoneId, p.zoneId) && Objects.equals(exitedZoneId, p.exitedZoneId)
        && origin.equals(p.origin);
  }

  @Override
  public int hashCode() {
    return Objects.hash(vehicleId, tsMillis, origin);
  }

  @Override
  public String toString() {
    return vehicleId + "@" + java.time.Instant.ofEpochMilli(tsMillis) + " (" + lat + "," + lon + ") "
        + speedKmh + (speedFilled ? " filled" : "") + " zone=" + zoneId
        + (exitedZoneId == null ? "" : " exited=" + exitedZoneId);
  }
}
