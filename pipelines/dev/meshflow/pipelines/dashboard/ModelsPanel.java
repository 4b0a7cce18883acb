package dev.meshflow.pipelines.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import dev.meshflow.transforms.skips.SkipTables;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Model quality: the skip model's AUC and log-loss per evaluation window with the moments it was
 * retrained, feature drift (PSI) in the latest window, and the recommendations' online hit rate per
 * minute a list was served.
 */
final class ModelsPanel {
  /** The evaluation windows drawn: the latest ones. */
  static final int WINDOWS = 240;

  private ModelsPanel() {}

  static ObjectNode read(Connection c) throws SQLException {
    ObjectNode panel = PanelSql.JSON.createObjectNode();
    panel.set("evaluation", PanelSql.rowsOrMissing(c, SkipTables.EVALUATION, "./meshflow skip-scoring",
        "SELECT * FROM (SELECT window_end, model_id, predictions, auc, log_loss, max_psi, triggers_retrain FROM "
            + SkipTables.EVALUATION + " ORDER BY window_end DESC, model_id LIMIT " + WINDOWS
            + ") latest ORDER BY window_end, model_id"));
    panel.set("retrains", PanelSql.rowsOrMissing(c, SkipTables.MODELS, "./meshflow skip-model",
        "SELECT model_id, window_end, holdout_auc, holdout_log_loss, reason FROM " + SkipTables.MODELS
            + " ORDER BY window_end, model_id"));
    panel.set("drift", PanelSql.rowsOrMissing(c, SkipTables.DRIFT, "./meshflow skip-scoring",
        "SELECT window_start, model_id, feature, psi FROM " + SkipTables.DRIFT + " WHERE window_start = (SELECT"
            + " max(window_start) FROM " + SkipTables.DRIFT + ") ORDER BY psi DESC, feature"));
    panel.set("online", PanelSql.rowsOrMissing(c, RecommendationTables.ONLINE_EVALUATION,
        "./meshflow recommendations --servedLists=...", "SELECT date_trunc('minute', served_at) AS minute,"
            + " count(*) AS lists, sum(CASE WHEN hit THEN 1 ELSE 0 END) AS hits FROM "
            + RecommendationTables.ONLINE_EVALUATION + " GROUP BY 1 ORDER BY 1 DESC LIMIT " + WINDOWS));
    return panel;
  }
}
