package dev.meshflow.transforms.anomaly;

import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.anomaly.model.AnomalyModel;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.Products;
import dev.meshflow.transforms.clickstream.model.ClickstreamModel;
import java.util.*;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.junit.Test;

public class AnomalyQualityProbe {
  @Test
  public void probe() {
    long events = Long.getLong("probe.events", 64000);
    String uri = "generator:clicks?events=" + events + "&seed=" + Long.getLong("probe.seed", 11)
        + "&persons=" + Integer.getInteger("probe.persons", 2000) + "&anomalies=" + System.getProperty("probe.anomalies", "0.015")
        + "&duplicates=0.02&malformed=0.02&late=0.005";
    ClickGenerator g = (ClickGenerator) GeneratedInput.generator(uri);
    List<ClickstreamModel.Record> records = new ArrayList<>();
    for (long i = 0; i < events; i++) {
      records.add(new ClickstreamModel.Record(g.originOf(i), g.recordAt(i).payload));
    }
    ClickstreamModel.Result r = ClickstreamModel.run(records, Products.parse(g.productsJsonLines()), new Clickstream.Settings());
    Map<String, ClickGenerator.AnomalyKind> planted = g.plantedAnomalies(events);
    KMeansTrainer.Settings s = new KMeansTrainer.Settings();
    s.clusters = Integer.getInteger("probe.k", 8);
    s.quantile = Double.parseDouble(System.getProperty("probe.q", "0.99"));
    s.minClusterShare = Double.parseDouble(System.getProperty("probe.share", "0.02"));
    if (Boolean.getBoolean("probe.nobots")) {
      long before = r.sessions.size();
      long plantedBots = r.sessions.values().stream().filter(x -> x.getBoolean("is_bot") && planted.containsKey(x.getString("cookie_id"))).count();
      r.sessions.values().removeIf(x -> x.getBoolean("is_bot"));
      System.out.println("bots removed " + (before - r.sessions.size()) + " of which planted anomalies " + plantedBots);
    }
    long t0 = System.nanoTime();
    List<KMeansModel> models = AnomalyModel.train(r.sessions.values(), Duration.standardHours(Integer.getInteger("probe.hours", 2)), Duration.standardHours(1), s);
    long t1 = System.nanoTime();
    AnomalyModel.Scored scored = AnomalyModel.score(r.sessions.values(), models);
    // truth: per planted cookie, its session with the most events
    Map<String, Row> truthByCookie = new HashMap<>();
    for (Row row : r.sessions.values()) {
      String c = row.getString("cookie_id");
      if (planted.containsKey(c)) {
        Row prev = truthByCookie.get(c);
        if (prev == null || row.getInt64("events") > prev.getInt64("events")) truthByCookie.put(c, row);
      }
    }
    ModelHistory h = ModelHistory.of(models);
    Set<String> truth = new HashSet<>();
    for (Row row : truthByCookie.values()) {
      if (h.asOf(row.getDateTime("start_ts").getMillis()) != null) truth.add(row.getString("session_id"));
    }
    Set<String> found = scored.anomalies.keySet();
    long tp = found.stream().filter(truth::contains).count();
    Map<String, Integer> missedKinds = new TreeMap<>();
    for (String t : truth) if (!found.contains(t)) missedKinds.merge(planted.get(t.substring(0, t.indexOf('@'))).name(), 1, Integer::sum);
    Map<String, Integer> fpBots = new TreeMap<>();
    for (String f : found) if (!truth.contains(f)) fpBots.merge(String.valueOf(scored.anomalies.get(f).getBoolean("is_bot")) + "/" + scored.anomalies.get(f).getString("features").substring(0, 40), 1, Integer::sum);
    System.out.printf("sessions=%d models=%d train=%.1fs scored=%d unscored=%d truth=%d found=%d tp=%d P=%.3f R=%.3f missed=%s%n",
        r.sessions.size(), models.size(), (t1 - t0) / 1e9, scored.scored, scored.unscored, truth.size(), found.size(), tp,
        tp / (double) found.size(), tp / (double) truth.size(), missedKinds);
    System.out.println("rare clusters per model: " + models.stream().map(m -> m.rareClusters + "/" + m.centroids.length).toList());
    Map<String,Integer> shown = new HashMap<>();
    for (Row row : truthByCookie.values()) {
      String kind = planted.get(row.getString("cookie_id")).name();
      if (scored.anomalies.containsKey(row.getString("session_id")) || shown.merge(kind, 1, Integer::sum) > 4) continue;
      KMeansModel m = h.asOf(row.getDateTime("start_ts").getMillis());
      if (m == null) continue;
      double[] f = SessionFeatures.of(row);
      KMeansModel.Score sc = m.score(f);
      System.out.println(kind + " score=" + sc.value() + " d=" + sc.distance + " thr=" + sc.threshold + " c=" + sc.cluster + " size=" + m.sizes[sc.cluster] + "/" + m.sessions + " spread=" + java.util.Arrays.toString(m.spreads[sc.cluster]) + " " + SessionFeatures.describe(f) + " z=" + java.util.Arrays.toString(m.standardize(f)));
    }
    KMeansModel mid = models.get(models.size() / 2);
    List<Object[]> far = new ArrayList<>();
    for (Row row : r.sessions.values()) {
      long t = row.getDateTime("start_ts").getMillis();
      if (t < mid.windowStartMillis || t >= mid.windowEndMillis) continue;
      double[] f = SessionFeatures.of(row);
      KMeansModel.Score sc = mid.score(f);
      far.add(new Object[] {sc.distance, sc.cluster, planted.containsKey(row.getString("cookie_id")), row.getBoolean("is_bot"), SessionFeatures.describe(f)});
    }
    far.sort((a, b) -> Double.compare((Double) b[0], (Double) a[0]));
    System.out.println("mid model " + mid + " thr=" + java.util.Arrays.toString(mid.thresholds) + " sizes=" + java.util.Arrays.toString(mid.sizes));
    far.stream().limit(40).forEach(o -> System.out.println("FAR " + java.util.Arrays.toString(o)));
    KMeansModel last = models.get(models.size() - 1);
    System.out.println("scale=" + java.util.Arrays.toString(last.scale) + " thr=" + java.util.Arrays.toString(last.thresholds) + " sizes=" + java.util.Arrays.toString(last.sizes));
    fpBots.entrySet().stream().limit(30).forEach(e -> System.out.println("FP " + e));
  }
}
