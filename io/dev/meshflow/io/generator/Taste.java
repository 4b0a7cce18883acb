package dev.meshflow.io.generator;

import java.util.SplittableRandom;

/**
 * The Interactions generator's learnable mode: each listen is a {@code play} (record 2k) followed
 * by its outcome (record 2k+1): a {@code skip} of the same item 2 to 20 s later, or, if the user
 * listened on, a {@code like} 40 to 200 s later.
 *
 * <p>Whether a listen is skipped depends on the user's taste: users fall into {@link #COHORTS}
 * cohorts (an attribute the Users domain publishes), items into {@link #GENRES}; each cohort likes
 * two genres and dislikes two. Podcasts and some users skip more. At the drift instant every
 * cohort's taste turns around: the liked genres become the disliked ones.
 *
 * <p>Cohorts and genres follow ids (user number mod {@value #COHORTS}, item number mod the genres),
 * or, with {@code mesh=1}, the Users, Songs and Podcasts products ({@link ProductWorld}): then
 * users and items are drawn from the products, a user's cohort is its tier, a song's genre is its
 * genre in the Songs product, and podcasts are neutral.
 */
public final class Taste {
  public static final String[] GENRES = {"pop", "rock", "hiphop", "jazz", "classical", "electronic"};
  public static final int COHORTS = 4;
  /** Listens per session block: a user's listens k / this share a session id. */
  public static final int LISTENS_PER_SESSION = 400;
  private static final long LISTEN_SALT = 0x7A57E5EEDL;

  private Taste() {}

  public static int genreOf(int item) {
    return item % GENRES.length;
  }

  public static int cohortOf(int user) {
    return user % COHORTS;
  }

  /** +1 liked, -1 disliked, 0 neutral; the drift shifts tastes by three genres. */
  public static int affinity(int cohort, int genre, boolean drifted) {
    int d = Math.floorMod(genre - 2 * cohort - (drifted ? 3 : 0), GENRES.length);
    return d <= 1 ? 1 : (d == 3 || d == 4) ? -1 : 0;
  }

  /** What listen k is, whichever of its two records is asked for. */
  public static final class Listen {
    public final long k;
    public final int user;
    public final int item;
    public final boolean song;
    public final String device;
    public final long startMillis;
    public final boolean skipped;
    public final long outcomeDelayMillis;

    Listen(long k, int user, int item, boolean song, String device, long startMillis, boolean skipped,
        long outcomeDelayMillis) {
      this.k = k;
      this.user = user;
      this.item = item;
      this.song = song;
      this.device = device;
      this.startMillis = startMillis;
      this.skipped = skipped;
      this.outcomeDelayMillis = outcomeDelayMillis;
    }

    public String sessionId() {
      return "s-" + user + "-" + (k / LISTENS_PER_SESSION);
    }

    public String itemId() {
      return InteractionGenerator.itemId(item, song);
    }
  }

  public static Listen listen(InteractionGenerator.Spec spec, long k, long startMillis) {
    SplittableRandom r = SeededRandom.of(spec.seed ^ LISTEN_SALT, k);
    ProductWorld world = spec.world;
    int items = world == null ? spec.items : world.itemCount();
    int itemAt = (int) (items * Math.pow(r.nextDouble(), 2));
    boolean song = world == null ? itemAt < spec.songs() : itemAt < world.songs;
    // (recs=1 replaces user, item and song below; these draws stay, so the other fields match taste=1)
    int userAt = (int) ((world == null ? spec.users : world.userCount()) * Math.pow(r.nextDouble(), 1.5));
    int item = world == null ? itemAt : world.items[itemAt];
    int user = world == null ? userAt : world.users[userAt];
    if (spec.recs) { // who hears what follows taste groups and artists (CoListening)
      CoListening.Pick pick = CoListening.pick(spec, k);
      user = pick.user();
      item = pick.item();
      song = pick.song();
    }
    // From the products, a user's cohort is its tier and a song's genre its genre; podcasts have none.
    int cohort = world == null ? cohortOf(user) : world.cohorts[userAt];
    int genre = world == null ? genreOf(item) : song ? world.genres[itemAt] : -1;
    String device = InteractionGenerator.DEVICES[r.nextInt(InteractionGenerator.DEVICES.length)];
    boolean drifted = startMillis >= spec.driftAtMillis;
    double logit = -0.3 - 1.8 * (cohort < 0 || genre < 0 ? 0 : affinity(cohort, genre, drifted))
        + (song ? 0 : 0.6) + userBias(spec.seed, user) + (device.equals("web") ? 0.3 : 0);
    boolean skipped = r.nextDouble() < 1 / (1 + Math.exp(-logit));
    long delay = skipped ? r.nextLong(2_000, 20_000) : r.nextLong(40_000, 200_000);
    return new Listen(k, user, item, song, device, startMillis, skipped, delay);
  }

  /** Some users skip more than others, whatever the genre. */
  static double userBias(long seed, int user) {
    return 0.8 * (SeededRandom.of(seed ^ 0xB1A5L, user).nextDouble() - 0.5);
  }

  static GeneratedRecord listenRecord(long index, long i, SplittableRandom r, InteractionGenerator g) {
    long k = i / 2;
    Listen listen = listen(g.spec(), k, g.nominalTimeMillis(2 * k));
    boolean outcome = i % 2 == 1;
    long ts = g.shifted(listen.startMillis + (outcome ? listen.outcomeDelayMillis : 0), r);
    String type = !outcome ? "play" : listen.skipped ? "skip" : "like";
    byte[] json = g.eventJson(i, ts, listen.user, listen.itemId(), listen.song, type, listen.device,
        listen.sessionId(), type.equals("skip") ? Long.valueOf(listen.outcomeDelayMillis) : null);
    return new GeneratedRecord(index, json, ts);
  }
}
