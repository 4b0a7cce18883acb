package dev.meshflow.pipelines.fleet;

import dev.meshflow.io.generator.VehicleGenerator;
import java.util.List;
import java.util.Locale;

/**
 * Scores alerts against the incidents the generator planted. An exit alert is right when it names
 * a planted exit's vehicle and falls within it; a speeding alert when its window ends between the
 * episode's start and one speed window after its end. Precision: right alerts / alerts. Recall:
 * planted incidents with at least one right alert / planted incidents.
 */
final class FleetTruth {
  /** One alert as (type, vehicle, time). */
  static final class Alert {
    final String type;
    final String vehicle;
    final long tsMillis;

    Alert(String type, String vehicle, long tsMillis) {
      this.type = type;
      this.vehicle = vehicle;
      this.tsMillis = tsMillis;
    }
  }

  static final class Score {
    final String type;
    final long alerts;
    final long right;
    final long planted;
    final long found;

    Score(String type, long alerts, long right, long planted, long found) {
      this.type = type;
      this.alerts = alerts;
      this.right = right;
      this.planted = planted;
      this.found = found;
    }

    double precision() {
      return alerts == 0 ? 0 : (double) right / alerts;
    }

    double recall() {
      return planted == 0 ? 0 : (double) found / planted;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s: %d alerts, %d right (precision %.3f); %d planted, %d found (recall %.3f)",
          type, alerts, right, precision(), planted, found, recall());
    }
  }

  private FleetTruth() {}

  static Score score(String type, List<Alert> alerts, List<VehicleGenerator.Planted> planted, long windowMillis) {
    long slack = type.equals("SPEEDING") ? windowMillis : 0;
    long right = 0;
    long nAlerts = 0;
    for (Alert a : alerts) {
      if (!a.type.equals(type)) {
        continue;
      }
      nAlerts++;
      for (VehicleGenerator.Planted p : planted) {
        if (matches(p, a, type, slack)) {
          right++;
          break;
        }
      }
    }
    long nPlanted = 0;
    long found = 0;
    for (VehicleGenerator.Planted p : planted) {
      if (!p.type.equals(type)) {
        continue;
      }
      nPlanted++;
      for (Alert a : alerts) {
        if (matches(p, a, type, slack)) {
          found++;
          break;
        }
      }
    }
    return new Score(type, nAlerts, right, nPlanted, found);
  }

  private static boolean matches(VehicleGenerator.Planted p, Alert a, String type, long slack) {
    return p.type.equals(type) && a.type.equals(type) && p.vehicleId.equals(a.vehicle)
        && a.tsMillis >= p.startMillis && a.tsMillis <= p.endMillis + slack;
  }
}
