package dev.meshflow.transforms.recommendations.model;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.recommendations.CatalogItem;
import dev.meshflow.transforms.recommendations.ListedUser;
import dev.meshflow.transforms.recommendations.RecommenderRules;
import dev.meshflow.transforms.recommendations.RecommenderRules.Play;
import dev.meshflow.transforms.recommendations.Scoring;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The recommender in plain Java, the reference the Beam transforms are held to, as Nexmark pairs a
 * query with its model. Fed the valid, deduplicated plays and skips in any order, it keeps exactly
 * what the serving store holds:
 *
 * <ul>
 *   <li>co-listening: each pair of plays by one user within
 *       {@link RecommenderRules#SESSION_GAP_MILLIS} of each other, of two different items, counts
 *       once for the pair of items, both ways (item-to-item neighbours, session-kNN). The count
 *       does not depend on the order the plays arrive in;
 *   <li>how often each item was played, and its type (popularity, for the cosine and the fallback);
 *   <li>each user's {@link RecommenderRules#RECENT} latest plays (newest first; ties by item)
 *       and skipped items;
 *   <li>plays per item in fixed {@link RecommenderRules#TRENDING_WINDOW_MILLIS} windows (trending).
 * </ul>
 *
 * <p>Given the item products ({@link #withCatalog}), it keeps each item's latest version, and
 * only items they list and have not deleted are recommended.
 *
 * <p>A user's list is ranked by {@link Scoring}, which the serving API shares.
 */
public final class RecommendationsModel implements Scoring.State {
  private final Map<String, Map<String, Long>> coListens = new HashMap<>();
  private final Map<String, Long> plays = new HashMap<>();
  private final Map<String, String> types = new HashMap<>();
  private final Map<String, List<Play>> playsByUser = new HashMap<>();
  private final Map<String, Set<String>> skipped = new HashMap<>();
  private final TreeMap<Long, Map<String, Long>> trending = new TreeMap<>();
  private final Map<String, CatalogItem> catalog = new TreeMap<>();
  private final Map<String, ListedUser> listedUsers = new TreeMap<>();
  private long events;
  private long latestEvent = Long.MIN_VALUE;

  /** This model with the item products' items at their latest version (later ones replace earlier). */
  public RecommendationsModel withCatalog(Iterable<CatalogItem> items) {
    items.forEach(i -> catalog.put(i.item(), i));
    return this;
  }

  /** This model with the Users product's users at their latest version (later ones replace earlier). */
  public RecommendationsModel withUsers(Iterable<ListedUser> users) {
    users.forEach(u -> listedUsers.put(u.user(), u));
    return this;
  }

  /**
   * The list of a user the model has never seen: if the Users product lists them in a country,
   * what that country's {@link RecommenderRules#COUNTRY_LISTENERS} latest listeners played
   * recently ({@link Scoring#coldStart}); the latest trending window (or the most played, before
   * any window) fills the rest, or the whole list without a country.
   */
  public List<Scoring.Scored> recommendNew(String user, String type, int n) {
    List<Scoring.Scored> trendingNow = trending(n, type, null).getValue();
    List<Scoring.Scored> fill = trendingNow.isEmpty() ? popular(n, type) : trendingNow;
    ListedUser listed = listedUsers.get(user);
    if (listed == null || listed.deleted() || listed.country() == null) {
      return fill;
    }
    List<List<String>> recents = listedUsers.values().stream()
        .filter(u -> !u.deleted() && listed.country().equals(u.country()) && playsByUser.containsKey(u.user()))
        .sorted(java.util.Comparator.comparingLong((ListedUser u) -> -latestPlay(u.user())).thenComparing(ListedUser::user))
        .limit(RecommenderRules.COUNTRY_LISTENERS)
        .map(u -> recent(u.user())).toList();
    return Scoring.coldStart(listed, recents, type, n, this, fill);
  }

  /** The time of the user's latest play, or null for a user who never played. */
  public Long latestPlay(String user) {
    List<Play> plays = playsByUser.get(user);
    return plays == null || plays.isEmpty() ? null : plays.stream().mapToLong(Play::timeMillis).max().getAsLong();
  }

  /** The item products' items by id, at their latest version; empty without the products. */
  public Map<String, CatalogItem> catalog() {
    return catalog;
  }

  /** The model of {@code events} (valid, deduplicated): their plays and skips, the rest ignored. */
  public static RecommendationsModel of(Iterable<InteractionEvent> events) {
    RecommendationsModel m = new RecommendationsModel();
    for (InteractionEvent e : events) {
      if (e.eventType().equals("play")) {
        m.play(e.userId(), e.itemId(), e.itemType(), e.timestampMillis());
      } else if (e.eventType().equals("skip")) {
        m.skip(e.userId(), e.itemId(), e.timestampMillis());
      }
    }
    return m;
  }

  /** Adds a play, in any order relative to the others. */
  public void play(String user, String item, String itemType, long timeMillis) {
    learned(timeMillis);
    plays.merge(item, 1L, Long::sum);
    types.put(item, itemType);
    List<Play> history = playsByUser.computeIfAbsent(user, u -> new ArrayList<>());
    for (Play other : history) {
      boolean coListened = Math.abs(timeMillis - other.timeMillis()) <= RecommenderRules.SESSION_GAP_MILLIS;
      if (coListened && !other.item().equals(item)) {
        coListens.computeIfAbsent(other.item(), i -> new HashMap<>()).merge(item, 1L, Long::sum);
        coListens.computeIfAbsent(item, i -> new HashMap<>()).merge(other.item(), 1L, Long::sum);
      }
    }
    history.add(new Play(item, timeMillis));
    trending.computeIfAbsent(RecommenderRules.windowStart(timeMillis), w -> new TreeMap<>()).merge(item, 1L, Long::sum);
  }

  public void skip(String user, String item, long timeMillis) {
    learned(timeMillis);
    skipped.computeIfAbsent(user, u -> new TreeSet<>()).add(item);
  }

  private void learned(long timeMillis) {
    events++;
    latestEvent = Math.max(latestEvent, timeMillis);
  }

  /** How many plays and skips the model learned from: the version the API names. */
  public long events() {
    return events;
  }

  /** The latest event time learned from, or Long.MIN_VALUE before any. */
  public long latestEvent() {
    return latestEvent;
  }

  /** The {@code n} best items for {@code user} now, of any type. */
  public List<Scoring.Scored> recommend(String user, int n) {
    return recommend(user, null, n);
  }

  /** The {@code n} best items of {@code type} (any if null) for {@code user} now. */
  public List<Scoring.Scored> recommend(String user, String type, int n) {
    return Scoring.rank(recent(user), skipped(user), type, n, this);
  }

  /** The user's {@link RecommenderRules#RECENT} latest played items, newest first. */
  public List<String> recent(String user) {
    return playsByUser.getOrDefault(user, List.of()).stream()
        .sorted(RecommenderRules.NEWEST_FIRST).limit(RecommenderRules.RECENT)
        .map(Play::item).toList();
  }

  /** The items the user skipped, in id order. */
  public Set<String> skipped(String user) {
    return skipped.getOrDefault(user, Set.of());
  }

  /** Every user the model has seen play or skip. */
  public Set<String> users() {
    Set<String> all = new TreeSet<>(playsByUser.keySet());
    all.addAll(skipped.keySet());
    return all;
  }

  /** Co-listening counts: item, then neighbour, then count. */
  public Map<String, Map<String, Long>> coListens() {
    return coListens;
  }

  /** Plays per item. */
  public Map<String, Long> plays() {
    return plays;
  }

  /** Plays per item per trending window start, in window order. */
  public TreeMap<Long, Map<String, Long>> trending() {
    return trending;
  }

  @Override
  public long plays(String item) {
    return plays.getOrDefault(item, 0L);
  }

  @Override
  public String type(String item) {
    return types.get(item);
  }

  @Override
  public Map<String, Long> neighbours(String seed) {
    return coListens.getOrDefault(seed, Map.of());
  }

  @Override
  public boolean available(String item) {
    return CatalogItem.available(!catalog.isEmpty(), catalog.get(item));
  }

  @Override
  public List<Scoring.Scored> alike(String item, String type, int limit) {
    return Scoring.alike(catalog.get(item), type, limit, catalog.values(), this);
  }

  /**
   * The latest trending window holding an available item of {@code type} and {@code genre} (any if
   * null), and its {@code n} most played such items (score: plays), with their reason; null key
   * when there is none.
   */
  public Map.Entry<Long, List<Scoring.Scored>> trending(int n, String type, String genre) {
    for (Map.Entry<Long, Map<String, Long>> window : trending.descendingMap().entrySet()) {
      List<Scoring.Scored> items = new ArrayList<>();
      window.getValue().forEach((item, count) -> {
        CatalogItem c = catalog.get(item);
        String itemGenre = c == null ? null : c.genre();
        if (available(item) && (type == null || type.equals(types.get(item)))
            && (genre == null || genre.equals(itemGenre))) {
          items.add(new Scoring.Scored(item, types.get(item), count,
              CatalogItem.trendingReason(types.get(item), itemGenre)));
        }
      });
      if (!items.isEmpty()) {
        items.sort(Scoring.BEST_FIRST);
        return Map.entry(window.getKey(), List.copyOf(items.subList(0, Math.min(n, items.size()))));
      }
    }
    return new java.util.AbstractMap.SimpleImmutableEntry<>(null, List.of());
  }

  @Override
  public List<Scoring.Scored> popular(int limit, String type) {
    List<Scoring.Scored> all = new ArrayList<>();
    plays.forEach((item, count) -> {
      if ((type == null || type.equals(types.get(item))) && available(item)) {
        all.add(new Scoring.Scored(item, types.get(item), count, Scoring.POPULAR));
      }
    });
    all.sort(Scoring.BEST_FIRST);
    return List.copyOf(all.subList(0, Math.min(limit, all.size())));
  }
}
