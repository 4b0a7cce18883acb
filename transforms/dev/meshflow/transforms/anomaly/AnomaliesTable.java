package dev.meshflow.transforms.anomaly;

import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;

/**
 * The {@code anomalies} table: one row per session found far from every cluster of the model that
 * scored it, keyed by session, so a replay replaces its rows.
 */
public final class AnomaliesTable {
  public static final String TABLE = "anomalies";
  public static final List<String> KEY = List.of("session_id");
  public static final Schema SCHEMA = Schema.builder()
      .addStringField("session_id")
      .addStringField("cookie_id")
      .addStringField("person_id")
      .addDateTimeField("start_ts")
      .addDateTimeField("end_ts")
      .addBooleanField("is_bot")
      .addStringField("model_id")
      .addInt32Field("nearest_cluster")
      .addDoubleField("distance")
      .addDoubleField("threshold")
      .addDoubleField("score")
      .addStringField("features")
      .build();

  private AnomaliesTable() {}

  public static Row toRow(Row session, KMeansModel model, KMeansModel.Score score, double[] features) {
    return Row.withSchema(SCHEMA).attachValues(session.getString("session_id"),
        session.getString("cookie_id"), session.getString("person_id"), session.getDateTime("start_ts").toInstant(),
        session.getDateTime("end_ts").toInstant(), session.getBoolean("is_bot"), model.id, score.cluster,
        score.distance, score.threshold, score.value(), SessionFeatures.describe(features));
  }
}
