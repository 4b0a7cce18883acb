package dev.meshflow.transforms.anomaly.model;

import dev.meshflow.transforms.anomaly.AnomaliesTable;
import dev.meshflow.transforms.anomaly.KMeansModel;
import dev.meshflow.transforms.anomaly.KMeansTrainer;
import dev.meshflow.transforms.anomaly.ModelHistory;
import dev.meshflow.transforms.anomaly.SessionFeatures;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * The reference for both anomaly pipelines, in plain loops: which sliding windows each session
 * falls in (by its start), one model per window with enough human sessions, and each human
 * session scored by the newest model whose window ended before it started.
 */
public final class AnomalyModel {
  private AnomalyModel() {}

  /** Result of scoring: the anomalies by session id, and how many sessions had a model. */
  public static final class Scored {
    public final Map<String, Row> anomalies = new TreeMap<>();
    public long scored;
    public long unscored;
    public long bots;
  }

  public static List<KMeansModel> train(Collection<Row> sessions, Duration size, Duration period,
      KMeansTrainer.Settings settings) {
    long sizeMillis = size.getMillis();
    long periodMillis = period.getMillis();
    Map<Long, List<KMeansTrainer.Sample>> windows = new TreeMap<>();
    for (Row s : sessions) {
      if (s.getBoolean("is_bot")) {
        continue;
      }
      long t = s.getDateTime("start_ts").getMillis();
      long lastStart = t - Math.floorMod(t, periodMillis);
      for (long start = lastStart; start > t - sizeMillis; start -= periodMillis) {
        windows.computeIfAbsent(start, k -> new ArrayList<>())
            .add(new KMeansTrainer.Sample(s.getString("session_id"), SessionFeatures.of(s)));
      }
    }
    List<KMeansModel> models = new ArrayList<>();
    for (Map.Entry<Long, List<KMeansTrainer.Sample>> w : windows.entrySet()) {
      KMeansModel m = KMeansTrainer.train(w.getValue(), w.getKey(), w.getKey() + sizeMillis, settings);
      if (m != null) {
        models.add(m);
      }
    }
    return models;
  }

  public static Scored score(Collection<Row> sessions, Collection<KMeansModel> models) {
    ModelHistory history = ModelHistory.of(models);
    Scored out = new Scored();
    for (Row s : sessions) {
      if (s.getBoolean("is_bot")) {
        out.bots++;
        continue;
      }
      KMeansModel m = history.asOf(s.getDateTime("start_ts").getMillis());
      if (m == null) {
        out.unscored++;
        continue;
      }
      out.scored++;
      double[] features = SessionFeatures.of(s);
      KMeansModel.Score score = m.score(features);
      if (score.isAnomaly()) {
        out.anomalies.put(s.getString("session_id"), AnomaliesTable.toRow(s, m, score, features));
      }
    }
    return out;
  }
}
