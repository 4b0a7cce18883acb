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
 * that gave the largest share. Items the user played recently or skipped are left out, and so are
 * items the item products deleted. When fewer than {@code n} remain, items like the recent plays by
 * content fill the list (same creator, then same genre: how a new release or a cold item is
 * reached), then the most played items the user has not excluded.
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

    /** The {@code limit} most played available items of {@code type} (any type if null), best first. */
    List<Scored> popular(int limit, String type);

    /**
     * Whether {@code item} may be recommended: always without the item products; with them, only
     * an item they list and have not deleted.
     */
    boolean available(String item);

    /**
     * Up to {@code limit} available items of the same type like {@code item} by content, in
     * {@link #BY_CONTENT} order (none if the item products do not list it, or its type is not
     * {@code type}).
     */
    List<Scored> alike(String item, String type, int limit);
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
        if (exclude.contains(candidate) || (type != null && !type.equals(state.type(candidate)))
            || !state.available(candidate)) {
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
    for (String seed : recent) {
      fill(out, listed, exclude, n, state.alike(seed, type, n + exclude.size() + out.size()));
    }
    List<Scored> popular = new ArrayList<>();
    state.popular(n + exclude.size() + out.size(), type)
        .forEach(p -> popular.add(new Scored(p.item(), p.type(), 0, POPULAR)));
    fill(out, listed, exclude, n, popular);
    return List.copyOf(out);
  }

  /**
   * The list of a user the model has not seen yet, whom the Users product lists in a country: the
   * items most of that country's latest listeners played recently ({@code recentByListener}, each
   * listener's recent plays; an item counts once per listener), of {@code type} if not null and
   * available, most listeners first (score: how many), then by item id; {@code fill} (trending)
   * completes a short list.
   */
  public static List<Scored> coldStart(ListedUser user, List<List<String>> recentByListener, String type, int n,
      State state, List<Scored> fill) {
    Map<String, Integer> listeners = new HashMap<>();
    for (List<String> recent : recentByListener) {
      new HashSet<>(recent).forEach(item -> listeners.merge(item, 1, Integer::sum));
    }
    List<Scored> out = new ArrayList<>();
    listeners.forEach((item, count) -> {
      if ((type == null || type.equals(state.type(item))) && state.available(item)) {
        out.add(new Scored(item, state.type(item), count, user.reason()));
      }
    });
    out.sort(BEST_FIRST);
    List<Scored> top = new ArrayList<>(out.subList(0, Math.min(n, out.size())));
    Set<String> listed = new HashSet<>();
    top.forEach(s -> listed.add(s.item()));
    fill(top, listed, Set.of(), n, fill);
    return List.copyOf(top);
  }

  /** Appends {@code more} to {@code out}, in order, up to {@code n} items, skipping excluded and listed ones. */
  private static void fill(List<Scored> out, Set<String> listed, Set<String> exclude, int n, List<Scored> more) {
    for (Scored s : more) {
      if (out.size() >= n) {
        return;
      }
      if (!exclude.contains(s.item()) && listed.add(s.item())) {
        out.add(s);
      }
    }
  }

  /**
   * The {@code n} items most co-listened with {@code item}, by cosine; only {@code type} if not
   * null. Items like it by content fill the rest, so that a cold item (a new release nobody played
   * with another yet) still has similar items.
   */
  public static List<Scored> similar(String item, String type, int n, State state) {
    double itemPlays = Math.max(1, state.plays(item));
    List<Scored> out = new ArrayList<>();
    state.neighbours(item).forEach((candidate, co) -> {
      String candidateType = state.type(candidate);
      if ((type == null || type.equals(candidateType)) && state.available(candidate)) {
        out.add(new Scored(candidate, candidateType,
            co / Math.sqrt(itemPlays * Math.max(1, state.plays(candidate))), "played together with " + item));
      }
    });
    out.sort(BEST_FIRST);
    List<Scored> top = new ArrayList<>(out.subList(0, Math.min(n, out.size())));
    Set<String> listed = new HashSet<>();
    top.forEach(s -> listed.add(s.item()));
    fill(top, listed, Set.of(item), n, state.alike(item, type, n + top.size() + 1));
    return List.copyOf(top);
  }

  /**
   * Items like {@code of} by content, in {@link #BY_CONTENT} order, with their reason: its
   * available items of the same type ({@code type}, if not null) by the same creator or in the
   * same genre, never {@code of} itself. The reference model's form; the store answers it in SQL.
   */
  public static List<Scored> alike(CatalogItem of, String type, int limit, Iterable<CatalogItem> catalog,
      State state) {
    if (of == null || (type != null && !type.equals(of.type()))) {
      return List.of();
    }
    List<Scored> out = new ArrayList<>();
    for (CatalogItem c : catalog) {
      if (c.deleted() || c.item().equals(of.item()) || !c.type().equals(of.type())) {
        continue;
      }
      if (c.creator() != null && c.creator().equals(of.creator())) {
        out.add(new Scored(c.item(), c.type(), state.plays(c.item()), of.sameCreator()));
      } else if (c.genre() != null && c.genre().equals(of.genre())) {
        out.add(new Scored(c.item(), c.type(), state.plays(c.item()), of.sameGenre()));
      }
    }
    out.sort(BY_CONTENT.apply(of));
    List<Scored> top = new ArrayList<>();
    for (Scored s : out.subList(0, Math.min(limit, out.size()))) {
      top.add(new Scored(s.item(), s.type(), 0, s.because()));
    }
    return top;
  }

  /**
   * Items like one by content: the same creator first, then the same genre, each most played
   * first, then by item id. The score while sorting is the item's plays; a listed item scores 0.
   */
  public static final java.util.function.Function<CatalogItem, Comparator<Scored>> BY_CONTENT =
      of -> Comparator.<Scored>comparingInt(s -> s.because().equals(of.sameCreator()) ? 0 : 1)
          .thenComparing(Comparator.comparingDouble(Scored::score).reversed())
          .thenComparing(Scored::item);

  /** Highest score first; ties by item id, so that every run and the API rank alike. */
  public static final Comparator<Scored> BEST_FIRST =
      Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::item);
}
