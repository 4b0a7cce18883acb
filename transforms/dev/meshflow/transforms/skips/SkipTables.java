package dev.meshflow.transforms.skips;

import dev.meshflow.transforms.inference.PredictionResult;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * The skip loop's warehouse tables. Every key is derived from the data (a play, a window, a model),
 * so a replay upserts the same rows and duplicates nothing.
 */
public final class SkipTables {
  public static final String PREDICTIONS = "predictions";
  public static final List<String> PREDICTIONS_KEY = List.of("listen_id");
  public static final Schema PREDICTIONS_SCHEMA = Schema.builder()
      .addStringField("listen_id")
      .addStringField("user_id")
      .addStringField("item_id")
      .addDateTimeField("play_ts")
      .addDoubleField("p_skip")
      .addStringField("model_id")
      .build();

  /** The actions stream as a table: the activation step upserts by action id, so a replay is a no-op. */
  public static final String ACTIONS = "actions";
  public static final List<String> ACTIONS_KEY = List.of("action_id");
  public static final Schema ACTIONS_SCHEMA = Schema.builder()
      .addStringField("action_id")
      .addStringField("action")
      .addStringField("user_id")
      .addStringField("item_id")
      .addStringField("listen_id")
      .addDateTimeField("play_ts")
      .addDoubleField("p_skip")
      .addStringField("model_id")
      .build();

  public static final String EVALUATION = "model_evaluation";
  public static final List<String> EVALUATION_KEY = List.of("window_start", "model_id");
  public static final Schema EVALUATION_SCHEMA = Schema.builder()
      .addDateTimeField("window_start")
      .addDateTimeField("window_end")
      .addStringField("model_id")
      .addInt64Field("predictions")
      .addDoubleField("skip_share")
      .addNullableField("auc", Schema.FieldType.DOUBLE)
      .addDoubleField("log_loss")
      .addDoubleField("max_psi")
      .addBooleanField("triggers_retrain")
      .addStringField("reason")
      .build();

  public static final String DRIFT = "feature_drift";
  public static final List<String> DRIFT_KEY = List.of("window_start", "model_id", "feature");
  public static final Schema DRIFT_SCHEMA = Schema.builder()
      .addDateTimeField("window_start")
      .addStringField("model_id")
      .addStringField("feature")
      .addDoubleField("psi")
      .build();

  public static final String MODELS = "skip_models";
  public static final List<String> MODELS_KEY = List.of("model_id");
  public static final Schema MODELS_SCHEMA = Schema.builder()
      .addStringField("model_id")
      .addDateTimeField("window_start")
      .addDateTimeField("window_end")
      .addInt64Field("train_rows")
      .addInt64Field("holdout_rows")
      .addNullableField("holdout_auc", Schema.FieldType.DOUBLE)
      .addDoubleField("holdout_log_loss")
      .addStringField("reason")
      .build();

  public static final String ACTION = "recommend_alternative";

  private SkipTables() {}

  public static Row prediction(PredictionResult<Listen, Float> p) {
    Listen l = p.example();
    return Row.withSchema(PREDICTIONS_SCHEMA).attachValues(l.listenId, l.userId, l.itemId,
        new Instant(l.tsMillis), (double) p.inference(), p.modelId());
  }

  public static Row action(PredictionResult<Listen, Float> p) {
    Listen l = p.example();
    return Row.withSchema(ACTIONS_SCHEMA).attachValues(ACTION + ":" + l.listenId, ACTION, l.userId, l.itemId,
        l.listenId, new Instant(l.tsMillis), (double) p.inference(), p.modelId());
  }

  public static Row model(SkipModelCard c) {
    return Row.withSchema(MODELS_SCHEMA).attachValues(c.id, new Instant(c.windowStartMillis),
        new Instant(c.windowEndMillis), c.trainRows, c.holdoutRows, nanToNull(c.holdoutAuc), c.holdoutLogLoss,
        c.reason);
  }

  static Double nanToNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
