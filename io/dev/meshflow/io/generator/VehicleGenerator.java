package dev.meshflow.io.generator;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The fleet's synthetic position reports, with planted truth. Record {@code i} is vehicle
 * {@code i % vehicles} at tick {@code i / vehicles}; a vehicle reports every
 * {@code reportSeconds}. Each vehicle circles inside its home zone well under the limit. Time is
 * cut into 30-minute slots, and in each slot a vehicle may, at seeded times that never overlap:
 *
 * <ul>
 *   <li>speed: 2 to 5 minutes at 1.25 to 1.45 times its zone's limit (a planted SPEEDING episode);
 *   <li>leave: 1 to 3 minutes just outside its zone, in the gap between zones (a planted
 *       GEOFENCE_EXIT).
 * </ul>
 *
 * <p>Imperfections, each a share of the records: the speed left out (to be filled), an exact
 * re-send of the vehicle's previous report (a duplicate, in place of the current one), and a
 * malformed line.
 */
public final class VehicleGenerator implements RecordGenerator {
  static final int SLOT_TICKS = 180;

  private final Spec spec;
  private final FleetWorld world;

  public VehicleGenerator(Spec spec) {
    this.spec = spec;
    this.world = new FleetWorld(spec.zones);
  }

  /** Generator parameters; see {@link GeneratorSource} for the URI form. */
  public static final class Spec implements Serializable {
    public long seed = 42;
    public long startMillis = java.time.Instant.parse("2026-03-07T23:00:00Z").toEpochMilli();
    public int vehicles = 50;
    public int zones = 6;
    public int reportSeconds = 10;
    public double missingSpeed = 0.05;
    public double duplicates = 0.01;
    public double malformed = 0.01;
    public double speedingPerSlot = 0.5;
    public double exitPerSlot = 0.4;
  }

  /** A planted incident: a vehicle speeding or outside every zone from {@code startMillis} to {@code endMillis}. */
  public static final class Planted implements Serializable {
    public final String type;
    public final String vehicleId;
    public final long startMillis;
    public final long endMillis;

    Planted(String type, String vehicleId, long startMillis, long endMillis) {
      this.type = type;
      this.vehicleId = vehicleId;
      this.startMillis = startMillis;
      this.endMillis = endMillis;
    }

    @Override
    public String toString() {
      return type + " " + vehicleId + " " + java.time.Instant.ofEpochMilli(startMillis) + ".."
          + java.time.Instant.ofEpochMilli(endMillis);
    }
  }

  public Spec spec() {
    return spec;
  }

  public FleetWorld world() {
    return world;
  }

  public String vehicleId(int v) {
    return "vehicle-" + v;
  }

  @Override
  public String originOf(long index) {
    return "generator:vehicles?seed=" + spec.seed + "#" + index;
  }

  /** When vehicle {@code v} reports at {@code tick}: ticks apart, offset per vehicle. */
  public long timeOf(int v, long tick) {
    long offset = (v * 7919L) % (spec.reportSeconds * 1000L);
    return spec.startMillis + tick * spec.reportSeconds * 1000L + offset;
  }

  /** A slot's planned incidents: {speedStart, speedTicks, exitStart, exitTicks} in ticks (0 ticks: none). */
  private int[] plan(int v, long slot) {
    SplittableRandom r = rng(0x5EED0000L + v * 1_000_003L + slot);
    int[] p = new int[4];
    if (r.nextDouble() < spec.speedingPerSlot) {
      p[0] = 10 + r.nextInt(70);
      p[1] = 12 + r.nextInt(18);
    }
    if (r.nextDouble() < spec.exitPerSlot) {
      p[2] = 110 + r.nextInt(40);
      p[3] = 6 + r.nextInt(12);
    }
    return p;
  }

  private boolean in(long tickInSlot, int start, int ticks) {
    return ticks > 0 && tickInSlot >= start && tickInSlot < start + ticks;
  }

  /** The incidents planted in the first {@code events} records. */
  public List<Planted> planted(long events) {
    long ticks = (events + spec.vehicles - 1) / spec.vehicles;
    List<Planted> out = new ArrayList<>();
    for (int v = 0; v < spec.vehicles; v++) {
      for (long slot = 0; slot * SLOT_TICKS < ticks; slot++) {
        int[] p = plan(v, slot);
        long base = slot * SLOT_TICKS;
        if (p[1] > 0 && base + p[0] + p[1] <= ticks) {
          out.add(new Planted("SPEEDING", vehicleId(v), timeOf(v, base + p[0]), timeOf(v, base + p[0] + p[1] - 1)));
        }
        if (p[3] > 0 && base + p[2] + p[3] <= ticks) {
          out.add(new Planted("GEOFENCE_EXIT", vehicleId(v), timeOf(v, base + p[2]), timeOf(v, base + p[2] + p[3] - 1)));
        }
      }
    }
    return out;
  }

  @Override
  public GeneratedRecord recordAt(long index) {
    int v = (int) (index % spec.vehicles);
    long tick = index / spec.vehicles;
    SplittableRandom r = rng(index);
    double kind = r.nextDouble();
    if (kind < spec.malformed) {
      return new GeneratedRecord(index, malformed(v, tick, r), timeOf(v, tick));
    }
    if (kind < spec.malformed + spec.duplicates && tick > 0) {
      tick--; // a re-send of the previous report, exactly as it was
      r = rng(index - spec.vehicles);
      r.nextDouble();
    }
    return new GeneratedRecord(index, position(v, tick, r), timeOf(v, tick));
  }

  private byte[] position(int v, long tick, SplittableRandom r) {
    int zone = v % world.zones();
    int[] p = plan(v, tick / SLOT_TICKS);
    long t = tick % SLOT_TICKS;
    double angle = tick * 0.05 + v;
    double lat = world.centerLat(zone) + 0.004 * Math.sin(angle);
    double lon = world.centerLon(zone) + 0.006 * Math.cos(angle);
    if (in(t, p[2], p[3])) {
      lat = world.centerLat(zone);
      lon = world.minLon(zone) + FleetWorld.ZONE_LON + FleetWorld.GAP * 0.3;
    }
    double limit = world.limitKmh(zone);
    double speed = in(t, p[0], p[1]) ? limit * (1.25 + 0.2 * r.nextDouble()) : limit * (0.55 + 0.25 * r.nextDouble());
    StringBuilder json = new StringBuilder(160);
    json.append("{\"vehicle_id\":\"").append(vehicleId(v)).append('"');
    json.append(",\"ts\":\"").append(java.time.Instant.ofEpochMilli(timeOf(v, tick))).append('"');
    json.append(String.format(Locale.ROOT, ",\"lat\":%.6f,\"lon\":%.6f", lat, lon));
    if (r.nextDouble() >= spec.missingSpeed) {
      json.append(String.format(Locale.ROOT, ",\"speed_kmh\":%.1f", speed));
    }
    json.append('}');
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] malformed(int v, long tick, SplittableRandom r) {
    String id = vehicleId(v);
    String ts = java.time.Instant.ofEpochMilli(timeOf(v, tick)).toString();
    switch (r.nextInt(6)) {
      case 0:
        return utf8("{\"vehicle_id\":\"" + id + "\",\"ts\":\"" + ts); // truncated
      case 1:
        return utf8("{\"vehicle_id\":\"" + id + "\",\"ts\":\"" + ts + "\",\"lat\":95.0,\"lon\":4.0}");
      case 2:
        return utf8("{\"vehicle_id\":\"" + id + "\",\"ts\":\"soon\",\"lat\":52.0,\"lon\":4.0}");
      case 3:
        return utf8("{\"ts\":\"" + ts + "\",\"lat\":52.0,\"lon\":4.0}");
      case 4:
        return utf8("{\"vehicle_id\":\"" + id + "\",\"ts\":\"" + ts + "\",\"lat\":52.0,\"lon\":4.0,\"speed_kmh\":-3}");
      default:
        return utf8("{\"vehicle_id\":\"" + id + "\",\"ts\":\"" + ts + "\",\"lat\":\"52.0\",\"lon\":4.0}");
    }
  }

  private SplittableRandom rng(long i) {
    return SeededRandom.of(spec.seed, i);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
