package dev.meshflow.pipelines.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshflow.transforms.anomaly.AnomaliesTable;
import dev.meshflow.transforms.fleet.Alerts;
import java.sql.Connection;
import java.sql.SQLException;

/** The latest fleet alerts and the latest anomalous sessions, each with its evidence. */
final class AlertsPanel {
  static final int LATEST = 10;

  private AlertsPanel() {}

  static ObjectNode read(Connection c) throws SQLException {
    ObjectNode panel = PanelSql.JSON.createObjectNode();
    if (PanelSql.exists(c, Alerts.TABLE)) {
      panel.put("alertCount", PanelSql.rows(c, "SELECT count(*) AS n FROM " + Alerts.TABLE).get(0).path("n").asLong());
      panel.set("alerts", PanelSql.rows(c, "SELECT alert_ts, alert_type, vehicle_id, zone_id, evidence FROM "
          + Alerts.TABLE + " ORDER BY alert_ts DESC, alert_id LIMIT " + LATEST));
    } else {
      panel.set("alerts", PanelSql.missing(Alerts.TABLE, "./meshflow fleet-alerts"));
    }
    if (PanelSql.exists(c, AnomaliesTable.TABLE)) {
      panel.put("anomalyCount", PanelSql.rows(c, "SELECT count(*) AS n FROM " + AnomaliesTable.TABLE)
          .get(0).path("n").asLong());
      panel.set("anomalies", PanelSql.rows(c, "SELECT start_ts, session_id, score, threshold, is_bot, features FROM "
          + AnomaliesTable.TABLE + " ORDER BY start_ts DESC, session_id LIMIT " + LATEST));
    } else {
      panel.set("anomalies", PanelSql.missing(AnomaliesTable.TABLE, "./meshflow anomaly-scoring"));
    }
    return panel;
  }
}
