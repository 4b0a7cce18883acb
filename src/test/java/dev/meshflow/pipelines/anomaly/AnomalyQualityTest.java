package dev.meshflow.pipelines.anomaly;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.anomaly.KMeansModel;
import dev.meshflow.transforms.anomaly.KMeansTrainer;
import dev.meshflow.transforms.anomaly.ModelHistory;
import dev.meshflow.transforms.anomaly.model.AnomalyModel;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Anomaly precision and recall against what the generator planted, on a fixed seed, with the
 * default model settings. Measured on {@link AnomalyModel}, which the Direct and Flink runs equal
 * exactly ({@link AnomalyDetectionTest}); the figures are in docs/pipelines/anomaly-model.md and docs/benchmarks.md.
 *
 * <p>A planted anomaly is the session of its (fresh) cookie with the most events: a late event of
 * the visit can make a one-event session of its own, which is not the anomaly. Sessions the bot
 * detectors already flagged are not scored, so planted anomalies among them are reported apart.
 */
public class AnomalyQualityTest {
  private static final long EVENTS = 64_000; // 8,000 visits, about 13 hours
  private static final String GENERATOR = "generator:clicks?events=" + EVENTS
      + "&seed=11&persons=2000&anomalies=0.015&duplicates=0.02&malformed=0.02&late=0.005";

  @Test
  public void findsThePlantedAnomaliesWithPrecisionAndRecallOfAtLeastPointEight() {
    ClickGenerator g = (ClickGenerator) GeneratedInput.generator(GENERATOR);
    Collection<Row> sessions = AnomalyDetectionTest.sessions(GENERATOR, EVENTS);
    List<KMeansModel> models = AnomalyModel.train(sessions, Duration.standardHours(4), Duration.standardHours(1),
        new KMeansTrainer.Settings());
    AnomalyModel.Scored scored = AnomalyModel.score(sessions, models);
    Map<String, ClickGenerator.AnomalyKind> planted = g.plantedAnomalies(EVENTS);

    Map<String, Row> plantedSession = new HashMap<>();
    for (Row s : sessions) {
      String cookie = s.getString("cookie_id");
      Row seen = plantedSession.get(cookie);
      if (planted.containsKey(cookie) && (seen == null || s.getInt64("events") > seen.getInt64("events"))) {
        plantedSession.put(cookie, s);
      }
    }
    ModelHistory history = ModelHistory.of(models);
    Set<String> truth = new HashSet<>();
    int caughtAsBots = 0;
    for (Row s : plantedSession.values()) {
      if (s.getBoolean("is_bot")) {
        caughtAsBots++;
      } else if (history.asOf(s.getDateTime("start_ts").getMillis()) != null) {
        truth.add(s.getString("session_id"));
      }
    }
    Set<String> found = scored.anomalies.keySet();
    long hits = found.stream().filter(truth::contains).count();
    Map<String, int[]> byKind = new TreeMap<>();
    for (String id : truth) {
      ClickGenerator.AnomalyKind kind = planted.get(id.substring(0, id.indexOf('@')));
      int[] k = byKind.computeIfAbsent(kind.name(), x -> new int[2]);
      k[0] += found.contains(id) ? 1 : 0;
      k[1]++;
    }
    double precision = hits / (double) found.size();
    double recall = hits / (double) truth.size();
    StringBuilder kinds = new StringBuilder();
    byKind.forEach((kind, k) -> kinds.append(", ").append(kind).append(' ').append(k[0]).append('/').append(k[1]));
    String report = String.format(java.util.Locale.ROOT,
        "anomaly quality, seed 11 (%d sessions, %d models, %d scored): %d flagged, %d of %d planted found,"
            + " precision %.3f, recall %.3f%s; %d planted sessions were already flagged as bots",
        sessions.size(), models.size(), scored.scored, found.size(), hits, truth.size(), precision, recall, kinds,
        caughtAsBots);
    System.out.println(report);
    assertTrue(truth.size() >= 80 && precision >= 0.8 && recall >= 0.8, report);
  }
}
