package dev.meshflow.pipelines;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every pipeline the launcher knows, by name. Adding a pipeline is one entry here. */
public final class PipelineCatalog {
  private static final Map<String, MeshflowPipeline<?>> PIPELINES = new LinkedHashMap<>();

  static {
    add(MeshflowPipeline.of(
        InteractionAnalyticsPipeline.NAME, InteractionAnalyticsPipeline.DESCRIPTION,
        InteractionAnalyticsPipeline.Options.class, InteractionAnalyticsPipeline::validate,
        InteractionAnalyticsPipeline::run,
        "SELECT item_id, sum(plays) AS plays, sum(skips) AS skips, max(unique_users) AS peak_listeners"
            + " FROM item_minute_stats GROUP BY item_id ORDER BY plays DESC LIMIT 10"));

    add(MeshflowPipeline.of(
        IngestPipeline.NAME, IngestPipeline.DESCRIPTION, IngestPipeline.Options.class,
        IngestPipeline::validate, IngestPipeline::run,
        "SELECT event_type, count(*) AS events, count(DISTINCT user_id) AS users FROM interactions"
            + " GROUP BY event_type ORDER BY events DESC",
        IngestPipeline::conservation));
    add(MeshflowPipeline.of(
        MicroBatchLoadPipeline.NAME, MicroBatchLoadPipeline.DESCRIPTION,
        MicroBatchLoadPipeline.Options.class, MicroBatchLoadPipeline::validate,
        MicroBatchLoadPipeline::run,
        "SELECT path, rows, loaded_at FROM loaded_files ORDER BY loaded_at DESC LIMIT 10",
        MicroBatchLoadPipeline::conservation));
    add(MeshflowPipeline.of(
        FleetAlertsPipeline.NAME, FleetAlertsPipeline.DESCRIPTION, FleetAlertsPipeline.Options.class,
        FleetAlertsPipeline::validate, FleetAlertsPipeline::run,
        "SELECT alert_type, count(*) AS alerts, count(DISTINCT vehicle_id) AS vehicles FROM alerts"
            + " GROUP BY alert_type ORDER BY alert_type"));
    add(MeshflowPipeline.of(
        FleetNotifyPipeline.NAME, FleetNotifyPipeline.DESCRIPTION, FleetNotifyPipeline.Options.class,
        FleetNotifyPipeline::validate, FleetNotifyPipeline::run,
        "SELECT status, count(*) AS alerts, sum(attempts) AS attempts FROM notifications"
            + " GROUP BY status ORDER BY status"));
    add(MeshflowPipeline.of(
        ClickstreamBackfillPipeline.NAME, ClickstreamBackfillPipeline.DESCRIPTION,
        ClickstreamBackfillPipeline.Options.class, ClickstreamBackfillPipeline::validate,
        ClickstreamBackfillPipeline::run,
        "SELECT is_bot, bot_reason, count(*) AS sessions, count(DISTINCT person_id) AS people,"
            + " sum(events) AS events, sum(CASE WHEN purchased THEN 1 ELSE 0 END) AS purchases"
            + " FROM sessions GROUP BY is_bot, bot_reason ORDER BY is_bot, bot_reason",
        ClickstreamBackfillPipeline::conservation));
    add(MeshflowPipeline.of(
        AnomalyModelPipeline.NAME, AnomalyModelPipeline.DESCRIPTION, AnomalyModelPipeline.Options.class,
        AnomalyModelPipeline::validate, AnomalyModelPipeline::run,
        "SELECT stage, reason, count(*) AS dead_letters FROM dead_letter GROUP BY stage, reason ORDER BY 3 DESC LIMIT 10",
        AnomalyModelPipeline::conservation)
        .writingFiles(o -> Map.of("models", o.getModels())));
    add(MeshflowPipeline.of(
        AnomalyScoringPipeline.NAME, AnomalyScoringPipeline.DESCRIPTION, AnomalyScoringPipeline.Options.class,
        AnomalyScoringPipeline::validate, AnomalyScoringPipeline::run,
        "SELECT session_id, model_id, nearest_cluster, round(score, 2) AS score, features FROM anomalies"
            + " ORDER BY score DESC LIMIT 15",
        AnomalyScoringPipeline::conservation));
    add(MeshflowPipeline.of(
        SkipModelPipeline.NAME, SkipModelPipeline.DESCRIPTION, SkipModelPipeline.Options.class,
        SkipModelPipeline::validate, SkipModelPipeline::run,
        "SELECT model_id, window_end, train_rows, round(holdout_auc, 3) AS auc,"
            + " round(holdout_log_loss, 3) AS log_loss, reason FROM skip_models ORDER BY window_end",
        SkipModelPipeline::conservation)
        .writingFiles(o -> Map.of("models", o.getModels())));
    add(MeshflowPipeline.of(
        SkipScoringPipeline.NAME, SkipScoringPipeline.DESCRIPTION, SkipScoringPipeline.Options.class,
        SkipScoringPipeline::validate, SkipScoringPipeline::run,
        "SELECT window_start, model_id, predictions, round(auc, 3) AS auc, round(log_loss, 3) AS log_loss,"
            + " round(max_psi, 3) AS max_psi, reason FROM model_evaluation ORDER BY window_start, model_id",
        SkipScoringPipeline::conservation));
  }

  private PipelineCatalog() {}

  private static void add(MeshflowPipeline<?> pipeline) {
    PIPELINES.put(pipeline.name(), pipeline);
  }

  public static Map<String, MeshflowPipeline<?>> all() {
    return PIPELINES;
  }

  public static MeshflowPipeline<?> get(String name) {
    MeshflowPipeline<?> p = PIPELINES.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown pipeline '" + name + "'; available: " + String.join(", ", PIPELINES.keySet())
              + " (./meshflow list describes them)");
    }
    return p;
  }
}
