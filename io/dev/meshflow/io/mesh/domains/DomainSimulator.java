package dev.meshflow.io.mesh.domains;

import dev.meshflow.io.generator.Taste;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The Users, Songs and Podcasts domains' services, simulated: a seeded sequence of creates, updates
 * and deletes, as the services would make them. The sequence is a pure function of the seed, so
 * the state after N changes is always the same, and a test knows the truth it planted.
 *
 * <p>The first state matches the interaction generator's defaults: users {@code user-0} to
 * {@code user-1999}, songs {@code song-0000} to {@code song-0079} and podcasts {@code podcast-0080}
 * to {@code podcast-0099}. A song's first genre is the generator's ({@link Taste#genreOf}), and a
 * user's tier is the generator's taste cohort ({@link Taste#cohortOf}).
 */
public final class DomainSimulator {
  public static final String[] TIERS = {"free", "premium", "family", "student"};
  static final String[] COUNTRIES = {"US", "GB", "DE", "FR", "BR", "JP", "IN", "SE", "ES", "MX", "CA", "AU"};
  static final String[] TOPICS = {"news", "comedy", "true-crime", "science", "sports", "music", "business"};
  private static final LocalDate SIGNUPS_FROM = LocalDate.of(2023, 1, 1);
  private static final LocalDate RELEASES_FROM = LocalDate.of(2020, 1, 1);

  /** How many entities each domain starts with. */
  public record Sizes(int users, int songs, int podcasts) {
    public static final Sizes DEFAULT = new Sizes(2000, 80, 20);
  }

  private final long seed;
  private final Sizes sizes;
  private final SplittableRandom random;
  private final Map<String, Entities> state = new LinkedHashMap<>();
  private long events;
  private int nextUser;
  private int nextItem;

  /** One domain's entities, with a key list for picking one at random in constant time. */
  private static final class Entities {
    final Map<String, Map<String, Object>> byKey = new HashMap<>();
    final List<String> keys = new ArrayList<>();

    void put(String key, Map<String, Object> row) {
      if (byKey.put(key, row) == null) {
        keys.add(key);
      }
    }

    void remove(String key) {
      byKey.remove(key);
      int at = keys.indexOf(key);
      keys.set(at, keys.get(keys.size() - 1));
      keys.remove(keys.size() - 1);
    }

    String pick(SplittableRandom r) {
      return keys.get(r.nextInt(keys.size()));
    }
  }

  public DomainSimulator(long seed, Sizes sizes) {
    this(seed, sizes, new SplittableRandom(seed));
  }

  private DomainSimulator(long seed, Sizes sizes, SplittableRandom random) {
    this.seed = seed;
    this.sizes = sizes;
    this.random = random;
    for (String product : List.of("users", "songs", "podcasts")) {
      state.put(product, new Entities());
    }
  }

  /**
   * Continues from what the domain tables hold: the next changes are a pure function of the seed
   * and that state.
   */
  public static DomainSimulator resume(long seed, DomainDatabase.Snapshot snapshot) {
    DomainSimulator s = new DomainSimulator(seed, Sizes.DEFAULT,
        new SplittableRandom(seed * 0x9E3779B97F4A7C15L + snapshot.events()));
    snapshot.entities().forEach((product, rows) -> rows.forEach((key, row) ->
        s.state.get(product).put(key, new LinkedHashMap<>(row))));
    s.events = snapshot.events();
    s.nextUser = snapshot.highestUser() + 1;
    s.nextItem = snapshot.highestItem() + 1;
    return s;
  }

  /** Every entity's creation: the first state. */
  public List<Change> initial() {
    List<Change> changes = new ArrayList<>();
    for (int u = 0; u < sizes.users(); u++) {
      changes.add(put("users", Change.CREATED, user(u)));
    }
    nextUser = sizes.users();
    for (int i = 0; i < sizes.songs(); i++) {
      changes.add(put("songs", Change.CREATED, song(i)));
    }
    for (int i = sizes.songs(); i < sizes.songs() + sizes.podcasts(); i++) {
      changes.add(put("podcasts", Change.CREATED, podcast(i)));
    }
    nextItem = sizes.songs() + sizes.podcasts();
    return changes;
  }

  /** The next change of the sequence. */
  public Change next() {
    SplittableRandom r = random;
    double domain = r.nextDouble();
    double kind = r.nextDouble();
    if (domain < 0.45) {
      Entities songs = state.get("songs");
      if (kind < 0.5) {
        Map<String, Object> s = copy(songs.byKey.get(songs.pick(r)));
        s.put("genre", other(Taste.GENRES, (String) s.get("genre"), r));
        return put("songs", Change.UPDATED, s);
      } else if (kind < 0.7 || songs.keys.size() <= 10) {
        return put("songs", Change.CREATED, song(nextItem++));
      } else if (kind < 0.96) {
        Map<String, Object> s = copy(songs.byKey.get(songs.pick(r)));
        s.put("duration_ms", 60_000L + r.nextLong(300_000));
        return put("songs", Change.UPDATED, s);
      }
      return delete("songs", songs.pick(r));
    } else if (domain < 0.85) {
      Entities users = state.get("users");
      if (kind < 0.4) {
        Map<String, Object> u = copy(users.byKey.get(users.pick(r)));
        u.put("tier", other(TIERS, (String) u.get("tier"), r));
        return put("users", Change.UPDATED, u);
      } else if (kind < 0.6) {
        Map<String, Object> u = copy(users.byKey.get(users.pick(r)));
        u.put("country", other(COUNTRIES, (String) u.get("country"), r));
        return put("users", Change.UPDATED, u);
      } else if (kind < 0.8 || users.keys.size() <= 10) {
        return put("users", Change.CREATED, user(nextUser++));
      } else if (kind < 0.97) {
        Map<String, Object> u = copy(users.byKey.get(users.pick(r)));
        u.put("email", u.get("user_id") + "+" + events + "@example.com");
        return put("users", Change.UPDATED, u);
      }
      return delete("users", users.pick(r));
    }
    Entities podcasts = state.get("podcasts");
    if (kind < 0.5) {
      Map<String, Object> p = copy(podcasts.byKey.get(podcasts.pick(r)));
      p.put("topic", other(TOPICS, (String) p.get("topic"), r));
      return put("podcasts", Change.UPDATED, p);
    } else if (kind < 0.95 || podcasts.keys.size() <= 5) {
      return put("podcasts", Change.CREATED, podcast(nextItem++));
    }
    return delete("podcasts", podcasts.pick(r));
  }

  /**
   * A change the caller chooses: one field of an existing entity set to a value, as a test plants
   * a known truth (a song's new genre).
   */
  public Change set(String product, String key, String field, Object value) {
    Entities entities = state.get(product);
    if (entities == null || !entities.byKey.containsKey(key)) {
      throw new IllegalArgumentException("no " + product + " entity " + key);
    }
    Map<String, Object> row = copy(entities.byKey.get(key));
    if (!row.containsKey(field)) {
      throw new IllegalArgumentException(product + " has no field " + field);
    }
    row.put(field, value);
    return put(product, Change.UPDATED, row);
  }

  /** The current state of one domain, by key in key order. */
  public Map<String, Map<String, Object>> entities(String product) {
    return new TreeMap<>(state.get(product).byKey);
  }

  /** Events made so far (the first state's included). */
  public long events() {
    return events;
  }

  private Change put(String product, String op, Map<String, Object> row) {
    String key = (String) row.get(keyField(product));
    state.get(product).put(key, row);
    return new Change(eventId(), product, op, key, row);
  }

  private Change delete(String product, String key) {
    state.get(product).remove(key);
    return new Change(eventId(), product, Change.DELETED, key, null);
  }

  private UUID eventId() {
    return UUID.nameUUIDFromBytes(("meshflow-domains:" + seed + ":" + events++)
        .getBytes(StandardCharsets.UTF_8));
  }

  static String keyField(String product) {
    switch (product) {
      case "users":
        return "user_id";
      case "songs":
        return "song_id";
      default:
        return "episode_id";
    }
  }

  private static Map<String, Object> user(int u) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("user_id", "user-" + u);
    row.put("country", COUNTRIES[u % COUNTRIES.length]);
    row.put("signup_date", SIGNUPS_FROM.plusDays(u % 900));
    row.put("tier", TIERS[Taste.cohortOf(u)]);
    row.put("birth_year_band", u % 5 == 0 ? null : (1950 + 10 * (u % 6)) + "s");
    row.put("email", "user-" + u + "@example.com");
    return row;
  }

  private static Map<String, Object> song(int item) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("song_id", String.format("song-%04d", item));
    row.put("title", "Song " + item);
    row.put("artist", "Artist " + item % 40);
    row.put("genre", Taste.GENRES[Taste.genreOf(item)]);
    row.put("duration_ms", 120_000L + (item * 7919L) % 240_000);
    row.put("release_date", RELEASES_FROM.plusDays(item));
    return row;
  }

  private static Map<String, Object> podcast(int item) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("episode_id", String.format("podcast-%04d", item));
    row.put("show", "Show " + item % 8);
    row.put("title", "Episode " + item);
    row.put("topic", TOPICS[item % TOPICS.length]);
    row.put("duration_ms", 600_000L + (item * 7919L) % 3_000_000);
    return row;
  }

  private static Map<String, Object> copy(Map<String, Object> row) {
    return new LinkedHashMap<>(row);
  }

  private static String other(String[] values, String current, SplittableRandom r) {
    String v;
    do {
      v = values[r.nextInt(values.length)];
    } while (v.equals(current));
    return v;
  }
}
