package dev.meshflow.io.generator;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The generated fleet's map: rectangular zones on a grid, three to a row, with a gap between
 * neighbours that belongs to no zone. Speed limits cycle through 50, 80 and 100 km/h. The map is
 * published as a GeoJSON FeatureCollection, the format the fleet pipeline reads its zones in.
 */
public final class FleetWorld implements Serializable {
  static final double BASE_LAT = 52.0;
  static final double BASE_LON = 4.0;
  static final double ZONE_LAT = 0.02;
  static final double ZONE_LON = 0.03;
  static final double GAP = 0.01;
  private static final int[] LIMITS = {50, 80, 100};

  private final int zones;

  public FleetWorld(int zones) {
    this.zones = zones;
  }

  public int zones() {
    return zones;
  }

  public String zoneId(int zone) {
    return "zone-" + zone;
  }

  public int limitKmh(int zone) {
    return LIMITS[zone % LIMITS.length];
  }

  double minLat(int zone) {
    return BASE_LAT + (zone / 3) * (ZONE_LAT + GAP);
  }

  double minLon(int zone) {
    return BASE_LON + (zone % 3) * (ZONE_LON + GAP);
  }

  double centerLat(int zone) {
    return minLat(zone) + ZONE_LAT / 2;
  }

  double centerLon(int zone) {
    return minLon(zone) + ZONE_LON / 2;
  }

  /** The zones as a GeoJSON FeatureCollection of polygons with zone_id and speed_limit_kmh. */
  public String geoJson() {
    List<String> features = new ArrayList<>();
    for (int z = 0; z < zones; z++) {
      double la = minLat(z);
      double lo = minLon(z);
      double la2 = la + ZONE_LAT;
      double lo2 = lo + ZONE_LON;
      // GeoJSON positions are [lon, lat]; a ring closes on its first position.
      String ring = String.format(Locale.ROOT,
          "[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]",
          lo, la, lo2, la, lo2, la2, lo, la2, lo, la);
      features.add("{\"type\":\"Feature\",\"properties\":{\"zone_id\":\"" + zoneId(z)
          + "\",\"speed_limit_kmh\":" + limitKmh(z) + "},\"geometry\":{\"type\":\"Polygon\","
          + "\"coordinates\":[" + ring + "]}}");
    }
    return "{\"type\":\"FeatureCollection\",\"features\":[\n" + String.join(",\n", features) + "\n]}\n";
  }
}
