package dev.meshflow.pipelines.clickstream;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.values.Row;

/** Scores clickstream results against what the generator planted. */
final class ClickstreamTruth {
  private ClickstreamTruth() {}

  /** Precision and recall of a set of found pairs or items against the true ones. */
  static final class Score {
    final String what;
    final long truePositives;
    final long found;
    final long planted;

    Score(String what, long truePositives, long found, long planted) {
      this.what = what;
      this.truePositives = truePositives;
      this.found = found;
      this.planted = planted;
    }

    double precision() {
      return found == 0 ? 1.0 : (double) truePositives / found;
    }

    double recall() {
      return planted == 0 ? 1.0 : (double) truePositives / planted;
    }

    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "%s: precision %.3f (%d of %d found), recall %.3f (%d of %d planted)",
          what, precision(), truePositives, found, recall(), truePositives, planted);
    }
  }

  /**
   * Identity stitching by pairs: two linked identities count as a found pair when the pipeline
   * gave them the same person, and as a planted pair when the generator made them one person.
   */
  static Score stitching(Map<String, String> personByIdentity, Map<String, Integer> planted) {
    long found = pairs(groupSizes(personByIdentity));
    long truth = pairs(groupSizes(planted));
    Map<String, Integer> bothSizes = new HashMap<>();
    for (Map.Entry<String, String> e : personByIdentity.entrySet()) {
      Integer person = planted.get(e.getKey());
      if (person != null) {
        bothSizes.merge(e.getValue() + "|" + person, 1, Integer::sum);
      }
    }
    long correct = 0;
    for (int n : bothSizes.values()) {
      correct += (long) n * (n - 1) / 2;
    }
    return new Score("identity stitching (pairs)", correct, found, truth);
  }

  private static <V> Map<V, Integer> groupSizes(Map<String, V> byIdentity) {
    Map<V, Integer> sizes = new HashMap<>();
    byIdentity.values().forEach(v -> sizes.merge(v, 1, Integer::sum));
    return sizes;
  }

  private static long pairs(Map<?, Integer> sizes) {
    long n = 0;
    for (int size : sizes.values()) {
      n += (long) size * (size - 1) / 2;
    }
    return n;
  }

  /** Bot detection by session: a session is a planted bot when its cookie is a bot's. */
  static Score bots(String what, List<Row> sessions, Set<String> botCookies) {
    long found = 0;
    long correct = 0;
    long planted = 0;
    for (Row s : sessions) {
      boolean isBot = botCookies.contains(s.getString("cookie_id"));
      boolean flagged = s.getBoolean("is_bot");
      planted += isBot ? 1 : 0;
      found += flagged ? 1 : 0;
      correct += isBot && flagged ? 1 : 0;
    }
    return new Score(what, correct, found, planted);
  }
}
