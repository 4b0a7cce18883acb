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
    panel.set("alerts", PanelSql.rowsOrMissing(c, Alerts.TABLE, "./meshflow fleet-alerts",
        "SELECT alert_ts, alert_type, vehicle_id, zone_id, evidence FROM " + Alerts.TABLE
            + " ORDER BY alert_ts DESC, alert_id LIMIT " + LATEST));
    if (panel.path("alerts").isArray()) {
      panel.put("alertCount", PanelSql.count(c, Alerts.TABLE));
    }
    panel.set("anomalies", PanelSql.rowsOrMissing(c, AnomaliesTable.TABLE, "./meshflow anomaly-scoring",
        "SELECT start_ts, session_id, score, threshold, is_bot, features FROM " + AnomaliesTable.TABLE
            + " ORDER BY start_ts DESC, session_id LIMIT " + LATEST));
    if (panel.path("anomalies").isArray()) {
      panel.put("anomalyCount", PanelSql.count(c, AnomaliesTable.TABLE));
    }
    return panel;
  }
}
