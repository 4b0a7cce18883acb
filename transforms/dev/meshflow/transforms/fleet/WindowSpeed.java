package dev.meshflow.transforms.fleet;

import java.io.Serializable;

/** A vehicle's average speed over one sliding window, and where it was at the window's last point. */
public final class WindowSpeed implements Serializable {
  public final String vehicleId;
  public final long windowStartMillis;
  public final long windowEndMillis;
  public final double avgKmh;
  public final long points;
  public final String zoneId;
  public final int limitKmh;
  public final double lastLat;
  public final double lastLon;

  public WindowSpeed(String vehicleId, long windowStartMillis, long windowEndMillis, double avgKmh,
      long points, String zoneId, int limitKmh, double lastLat, double lastLon) {
    this.vehicleId = vehicleId;
    this.windowStartMillis = windowStartMillis;
    this.windowEndMillis = windowEndMillis;
    this.avgKmh = avgKmh;
    this.points = points;
    this.zoneId = zoneId;
    this.limitKmh = limitKmh;
    this.lastLat = lastLat;
    this.lastLon = lastLon;
  }

  public boolean isSpeeding() {
    return zoneId != null && avgKmh > limitKmh;
  }
}
