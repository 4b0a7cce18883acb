package dev.meshflow.transforms.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Zones from a GeoJSON FeatureCollection: Polygon (outer ring; holes ignored) or MultiPolygon
 * features with {@code zone_id} and {@code speed_limit_kmh} properties. A point belongs to the
 * first zone whose polygon contains it (ray casting, so no geometry library is needed).
 */
public final class Zones implements Serializable {
  /** One zone: its id, its limit and its outer rings as [lon, lat] pairs. */
  public static final class Zone implements Serializable {
    public final String id;
    public final int limitKmh;
    final List<double[][]> rings;

    Zone(String id, int limitKmh, List<double[][]> rings) {
      this.id = id;
      this.limitKmh = limitKmh;
      this.rings = rings;
    }

    boolean contains(double lat, double lon) {
      for (double[][] ring : rings) {
        boolean inside = false;
        for (int i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          double xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
          if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) {
            inside = !inside;
          }
        }
        if (inside) {
          return true;
        }
      }
      return false;
    }
  }

  private final List<Zone> zones;

  private Zones(List<Zone> zones) {
    this.zones = zones;
  }

  public List<Zone> all() {
    return zones;
  }

  /** The zone containing the point, or null. */
  public Zone at(double lat, double lon) {
    for (Zone z : zones) {
      if (z.contains(lat, lon)) {
        return z;
      }
    }
    return null;
  }

  /** Parses GeoJSON; a feature without zone_id or a usable polygon is an error, not a silent skip. */
  public static Zones parse(String geoJson) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(geoJson);
    } catch (IOException e) {
      throw new IllegalArgumentException("zones: not valid JSON: " + e.getMessage());
    }
    if (root == null || !"FeatureCollection".equals(root.path("type").asText())) {
      throw new IllegalArgumentException("zones: expected a GeoJSON FeatureCollection");
    }
    List<Zone> out = new ArrayList<>();
    int n = 0;
    for (JsonNode f : root.path("features")) {
      n++;
      String id = f.path("properties").path("zone_id").asText(null);
      JsonNode limit = f.path("properties").path("speed_limit_kmh");
      if (id == null || !limit.isNumber()) {
        throw new IllegalArgumentException("zones: feature " + n + " needs properties zone_id and speed_limit_kmh");
      }
      JsonNode g = f.path("geometry");
      List<double[][]> rings = new ArrayList<>();
      switch (g.path("type").asText()) {
        case "Polygon":
          rings.add(ring(g.path("coordinates").path(0), id));
          break;
        case "MultiPolygon":
          for (JsonNode polygon : g.path("coordinates")) {
            rings.add(ring(polygon.path(0), id));
          }
          break;
        default:
          throw new IllegalArgumentException("zones: " + id + " is not a Polygon or MultiPolygon");
      }
      out.add(new Zone(id, limit.asInt(), rings));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("zones: the FeatureCollection has no features");
    }
    return new Zones(out);
  }

  private static double[][] ring(JsonNode coordinates, String id) {
    if (!coordinates.isArray() || coordinates.size() < 4) {
      throw new IllegalArgumentException("zones: " + id + " has a ring of fewer than 4 positions");
    }
    double[][] ring = new double[coordinates.size()][];
    for (int i = 0; i < ring.length; i++) {
      ring[i] = new double[] {coordinates.get(i).path(0).asDouble(), coordinates.get(i).path(1).asDouble()};
    }
    return ring;
  }
}
