package dev.meshflow.transforms.fleet;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.io.Serializable;
import java.util.function.Consumer;

/**
 * One vehicle's reports in time order: a repeated timestamp is a duplicate (the first by origin is
 * kept), a missing speed takes the last valid speed (and is marked filled), and the first point
 * outside every zone after a point inside one marks a geofence exit from that zone.
 */
public final class VehicleTrack implements OrderedPerKey.Step<VehiclePosition, VehicleTrack.State, VehiclePosition> {
  private final RunMetrics.StageCounter duplicates = RunMetrics.counter(RunMetrics.DUPLICATES);
  private final RunMetrics.StageCounter valid = RunMetrics.counter(RunMetrics.VALID);

  /** What the track remembers between reports. */
  public static final class State implements Serializable {
    Long lastTs;
    Double lastSpeed;
    String lastZone;
  }

  @Override
  public State start() {
    return new State();
  }

  @Override
  public int tieBreak(VehiclePosition a, VehiclePosition b) {
    return a.origin.compareTo(b.origin);
  }

  @Override
  public void step(State s, VehiclePosition p, long tsMillis, Consumer<VehiclePosition> out) {
    VehiclePosition tracked = advance(s, p);
    if (tracked == null) {
      duplicates.inc();
    } else {
      valid.inc();
      RunMetrics.noteEventTime(tsMillis);
      out.accept(tracked);
    }
  }

  /** The model's entry point: the tracked position, or null for a duplicate. */
  public static VehiclePosition advance(State s, VehiclePosition p) {
    if (s.lastTs != null && s.lastTs == p.tsMillis) {
      return null;
    }
    s.lastTs = p.tsMillis;
    Double speed = p.speedKmh;
    boolean filled = false;
    if (speed == null && s.lastSpeed != null) {
      speed = s.lastSpeed;
      filled = true;
    }
    if (p.speedKmh != null) {
      s.lastSpeed = p.speedKmh;
    }
    String exited = s.lastZone != null && p.zoneId == null ? s.lastZone : null;
    s.lastZone = p.zoneId;
    return p.tracked(speed, filled, exited);
  }
}
