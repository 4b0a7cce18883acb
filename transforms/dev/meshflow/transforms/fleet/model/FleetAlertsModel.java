package dev.meshflow.transforms.fleet.model;

import dev.meshflow.core.Stages;
import dev.meshflow.transforms.fleet.Alerts;
import dev.meshflow.transforms.fleet.PositionParser;
import dev.meshflow.transforms.fleet.SpeedStats;
import dev.meshflow.transforms.fleet.SpeedingEpisodes;
import dev.meshflow.transforms.fleet.VehicleMinuteStats;
import dev.meshflow.transforms.fleet.VehiclePosition;
import dev.meshflow.transforms.fleet.VehicleTrack;
import dev.meshflow.transforms.fleet.WindowSpeed;
import dev.meshflow.transforms.fleet.Zones;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.values.Row;

/**
 * The reference for {@code FleetAlerts} in batch, in plain Java: every report of a finite input in
 * memory, each vehicle's reports sorted, windows enumerated by hand. It shares the contract pieces
 * (the parser, the two per-vehicle state machines, the row layouts) and nothing of Beam.
 */
public final class FleetAlertsModel {
  private FleetAlertsModel() {}

  /** One input line. */
  public static final class Record {
    public final String origin;
    public final byte[] payload;

    public Record(String origin, byte[] payload) {
      this.origin = origin;
      this.payload = payload;
    }
  }

  /** What the pipeline must produce. */
  public static final class Result {
    public final Map<String, Row> minuteStats = new TreeMap<>();
    public final Map<String, Row> alerts = new TreeMap<>();
    /** origin to "stage: reason". */
    public final Map<String, String> deadLetters = new TreeMap<>();
    public long read;
    public long valid;
    public long duplicates;
  }

  public static Result run(List<Record> records, Zones zones, long windowMillis, long periodMillis) {
    Result out = new Result();
    Map<String, List<VehiclePosition>> byVehicle = new HashMap<>();
    for (Record r : records) {
      out.read++;
      PositionParser.Result p = PositionParser.parse(r.origin, r.payload);
      if (p.position == null) {
        out.deadLetters.put(r.origin, Stages.PARSE + ": " + p.error);
        continue;
      }
      Zones.Zone z = zones.at(p.position.lat, p.position.lon);
      VehiclePosition located = z == null ? p.position : p.position.inZone(z.id, z.limitKmh);
      byVehicle.computeIfAbsent(located.vehicleId, k -> new ArrayList<>()).add(located);
    }
    for (Map.Entry<String, List<VehiclePosition>> e : byVehicle.entrySet()) {
      String vehicle = e.getKey();
      List<VehiclePosition> reports = e.getValue();
      reports.sort(Comparator.comparingLong((VehiclePosition p) -> p.tsMillis).thenComparing(p -> p.origin));
      VehicleTrack.State track = new VehicleTrack().start();
      TreeMap<Long, SpeedStats> minutes = new TreeMap<>();
      TreeMap<Long, SpeedStats> windows = new TreeMap<>();
      for (VehiclePosition report : reports) {
        VehiclePosition p = VehicleTrack.advance(track, report);
        if (p == null) {
          out.duplicates++;
          continue;
        }
        out.valid++;
        Row exit = Alerts.geofenceExit(p);
        if (exit != null) {
          out.alerts.put(exit.getString("alert_id"), exit);
        }
        minutes.computeIfAbsent(Math.floorDiv(p.tsMillis, 60_000L) * 60_000L, k -> new SpeedStats()).add(p);
        long lastStart = Math.floorDiv(p.tsMillis, periodMillis) * periodMillis;
        for (long start = lastStart; start > p.tsMillis - windowMillis; start -= periodMillis) {
          windows.computeIfAbsent(start, k -> new SpeedStats()).add(p);
        }
      }
      minutes.forEach((start, stats) -> {
        Row row = VehicleMinuteStats.toRow(vehicle, start, stats);
        out.minuteStats.put(start + "|" + vehicle, row);
      });
      SpeedingEpisodes.State episodes = new SpeedingEpisodes(periodMillis).start();
      windows.forEach((start, s) -> {
        if (s.average() == null) {
          return;
        }
        Row alert = SpeedingEpisodes.advance(episodes, new WindowSpeed(vehicle, start, start + windowMillis,
            s.average(), s.speedPoints, s.lastZone, s.lastLimit, s.lastLat, s.lastLon), periodMillis);
        if (alert != null) {
          out.alerts.put(alert.getString("alert_id"), alert);
        }
      });
    }
    return out;
  }
}
