package dev.meshflow.io.generator;

import java.util.SplittableRandom;

/**
 * The Interactions generator's recommendation mode ({@code recs=1}): which user hears which item,
 * with the structure a recommender can learn, as the taste mode gives skips a signal.
 *
 * <ul>
 *   <li>Users fall into {@value #GROUPS} taste groups (user number mod {@value #GROUPS}).
 *   <li>Songs come by artist: {@value #TRACKS_PER_ARTIST} consecutive song numbers per artist, and
 *       artist {@code a} belongs to group {@code a mod GROUPS}.
 *   <li>Listens come in sessions of {@value #SESSION} by one user (listens {@code k / SESSION}).
 *       A session starts with an artist of the user's group (or, rarely, anything popular). Each
 *       next listen is another track by the same artist, another artist of the group, or anything
 *       popular, with the probabilities below.
 * </ul>
 *
 * <p>Listen {@code k} stays a pure function of the seed and {@code k}: it replays its session from
 * the session's start, at most {@value #SESSION} - 1 steps.
 */
public final class CoListening {
  public static final int GROUPS = 8;
  public static final int TRACKS_PER_ARTIST = 5;
  public static final int SESSION = 6;
  static final double STARTS_IN_GROUP = 0.85;
  static final double SAME_ARTIST = 0.5;
  static final double SAME_GROUP = 0.35;
  private static final long SESSION_SALT = 0x5E5510EL;
  private static final long STEP_SALT = 0x57E9L;

  private CoListening() {}

  /** Who listens to what in listen {@code k}. */
  record Pick(int user, int item, boolean song) {}

  static Pick pick(InteractionGenerator.Spec spec, long k) {
    int songs = spec.songs();
    int artists = Math.max(1, songs / TRACKS_PER_ARTIST);
    long session = k / SESSION;
    SplittableRandom s = SeededRandom.of(spec.seed ^ SESSION_SALT, session);
    int user = (int) (spec.users * Math.pow(s.nextDouble(), 1.5));
    int group = groupOf(user);
    int item = s.nextDouble() < STARTS_IN_GROUP ? groupTrack(s, group, artists, songs) : popular(s, spec.items);
    for (long j = session * SESSION + 1; j <= k; j++) {
      SplittableRandom r = SeededRandom.of(spec.seed ^ STEP_SALT, j);
      double u = r.nextDouble();
      if (u < SAME_ARTIST && item < songs) {
        item = sameArtist(r, item, songs);
      } else if (u < SAME_ARTIST + SAME_GROUP) {
        item = groupTrack(r, group, artists, songs);
      } else {
        item = popular(r, spec.items);
      }
    }
    return new Pick(user, item, item < songs);
  }

  /** The artist of song {@code item}. */
  static int artistOf(int item) {
    return item / TRACKS_PER_ARTIST;
  }

  /** The taste group of user {@code user}. */
  static int groupOf(int user) {
    return user % GROUPS;
  }

  private static int sameArtist(SplittableRandom r, int item, int songs) {
    int first = artistOf(item) * TRACKS_PER_ARTIST;
    int tracks = Math.min(TRACKS_PER_ARTIST, songs - first);
    if (tracks <= 1) {
      return item;
    }
    int other = first + r.nextInt(tracks - 1);
    return other >= item ? other + 1 : other; // any other track of the artist
  }

  /** A track by one of the group's artists, the group's first artists more often. */
  private static int groupTrack(SplittableRandom r, int group, int artists, int songs) {
    int inGroup = group < artists ? (artists - group + GROUPS - 1) / GROUPS : 0;
    if (inGroup == 0) {
      return r.nextInt(songs);
    }
    int artist = group + GROUPS * (int) (inGroup * Math.pow(r.nextDouble(), 1.5));
    return Math.min(songs - 1, artist * TRACKS_PER_ARTIST + r.nextInt(TRACKS_PER_ARTIST));
  }

  private static int popular(SplittableRandom r, int items) {
    return (int) (items * Math.pow(r.nextDouble(), 2));
  }
}
