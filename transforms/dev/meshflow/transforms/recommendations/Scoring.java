package dev.meshflow.transforms.recommendations;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a user's list is ranked from the model's state, one function shared by the reference model
 * and the serving API, so that the API answers exactly what the model would from the same state.
 *
 * <p>Candidates are the neighbours of the user's recent plays, scored by cosine co-listening,
 * {@code co(seed, c) / sqrt(plays(seed) * plays(c))}, summed over the seeds; the reason is the seed
 * that gave the largest share. Items the user played recently or skipped are left out. When fewer
 * than {@code n} remain, the most played items the user has not excluded fill the list.
 */
public final class Scoring {
  /** The reason given for an item that fills the list by popularity. */
  public static final String POPULAR = "popular";

  private Scoring() {}

  /** A recommended item, its type, score and why. */
  public record Scored(String item, String type, double score, String because) implements Serializable {}

  /** The state one user's ranking reads. */
  public interface State {
    /** How often {@code item} was played (0 if never). */
    long plays(String item);

    /** The type of {@code item} (song or podcast), or null if unknown. */
    String type(String item);

    /** Items co-listened with {@code seed}, with their counts. */
    Map<String, Long> neighbours(String seed);

    /** The {@code limit} most played items of {@code type} (any type if null), best first. */
    List<Scored> popular(int limit, String type);
  }

  /**
   * The {@code n} best items for a user whose recent plays are {@code recent} (newest first) and
   * who skipped {@code skipped}; only items of {@code type} if it is not null.
   */
  public static List<Scored> rank(List<String> recent, Set<String> skipped, String type, int n, State state) {
    Set<String> exclude = new HashSet<>(skipped);
    exclude.addAll(recent);
    Map<String, double[]> scores = new HashMap<>();
    Map<String, String> because = new HashMap<>();
    for (String seed : recent) {
      double seedPlays = Math.max(1, state.plays(seed));
      for (Map.Entry<String, Long> e : state.neighbours(seed).entrySet()) {
        String candidate = e.getKey();
        if (exclude.contains(candidate) || (type != null && !type.equals(state.type(candidate)))) {
          continue;
        }
        double s = e.getValue() / Math.sqrt(seedPlays * Math.max(1, state.plays(candidate)));
        double[] total = scores.computeIfAbsent(candidate, k -> new double[2]);
        total[0] += s;
        if (s > total[1]) {
          total[1] = s;
          because.put(candidate, "because you played " + seed);
        }
      }
    }
    List<Scored> out = new ArrayList<>();
    scores.forEach((item, s) -> out.add(new Scored(item, state.type(item), s[0], because.get(item))));
    out.sort(BEST_FIRST);
    if (out.size() >= n) {
      return List.copyOf(out.subList(0, n));
    }
    Set<String> listed = new HashSet<>();
    out.forEach(s -> listed.add(s.item()));
    for (Scored p : state.popular(n + exclude.size() + out.size(), type)) {
      if (out.size() >= n) {
        break;
      }
      if (!exclude.contains(p.item()) && listed.add(p.item())) {
        out.add(new Scored(p.item(), p.type(), 0, POPULAR));
      }
    }
    return List.copyOf(out);
  }

  /** The {@code n} items most co-listened with {@code item}, by cosine; only {@code type} if not null. */
  public static List<Scored> similar(String item, String type, int n, State state) {
    double itemPlays = Math.max(1, state.plays(item));
    List<Scored> out = new ArrayList<>();
    state.neighbours(item).forEach((candidate, co) -> {
      String candidateType = state.type(candidate);
      if (type == null || type.equals(candidateType)) {
        out.add(new Scored(candidate, candidateType,
            co / Math.sqrt(itemPlays * Math.max(1, state.plays(candidate))), "played together with " + item));
      }
    });
    out.sort(BEST_FIRST);
    return List.copyOf(out.subList(0, Math.min(n, out.size())));
  }

  /** Highest score first; ties by item id, so that every run and the API rank alike. */
  public static final Comparator<Scored> BEST_FIRST =
      Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::item);
}
