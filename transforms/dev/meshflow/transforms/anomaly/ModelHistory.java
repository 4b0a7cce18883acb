package dev.meshflow.transforms.anomaly;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The models published so far, by the end of their training window. A session is scored by the
 * newest model trained on data from before it started: in a backfill that is what was live at the
 * time, and in a live run it is simply the latest model (sessions start after it was trained).
 */
public final class ModelHistory implements Serializable {
  private final TreeMap<Long, KMeansModel> byWindowEnd = new TreeMap<>();

  public static ModelHistory of(Collection<KMeansModel> models) {
    ModelHistory h = new ModelHistory();
    for (KMeansModel m : models) {
      h.byWindowEnd.put(m.windowEndMillis, m);
    }
    return h;
  }

  /** The newest model whose window ended at or before {@code startMillis}; null when none did. */
  public KMeansModel asOf(long startMillis) {
    Map.Entry<Long, KMeansModel> e = byWindowEnd.floorEntry(startMillis);
    return e == null ? null : e.getValue();
  }

  public int size() {
    return byWindowEnd.size();
  }

  public List<KMeansModel> models() {
    List<KMeansModel> out = new ArrayList<>(byWindowEnd.values());
    out.sort(Comparator.comparingLong(m -> m.windowEndMillis));
    return out;
  }
}
