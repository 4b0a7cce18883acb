package dev.meshflow.transforms.skips;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The features a skip model sees for one play, as a fixed-order float vector. Names are
 * zero-padded ({@code f00_...}) because Tribuo orders features by name and the ONNX model takes
 * them in that order.
 *
 * <ul>
 *   <li>the user's cohort (the Users product's tier, or the user number mod 4) crossed with the
 *       item's genre (the Songs product's, or the item number mod 6), and each alone: a linear
 *       model learns taste only from the cross ({@link TasteAttributes});
 *   <li>podcast or song, device, hour of day (as sine and cosine);
 *   <li>position in the session, and the user's skip rate so far (smoothed: (skips+1)/(plays+2));
 *   <li>the item's recent behaviour ({@link ItemHistory}, one-hour half-life): its popularity
 *       (log of 1 + decayed plays) and its skip rate (smoothed as the user's).
 * </ul>
 */
public final class SkipFeatures {
  public static final int COHORTS = 4;
  public static final int GENRES = 6;
  public static final String[] DEVICES = {"ios", "android", "web", "desktop"};
  public static final List<String> NAMES = names();
  public static final int COUNT = NAMES.size();

  private static final int CROSS = 0;
  private static final int GENRE = CROSS + COHORTS * GENRES;
  private static final int COHORT = GENRE + GENRES;
  private static final int PODCAST = COHORT + COHORTS;
  private static final int DEVICE = PODCAST + 1;
  private static final int HOUR_SIN = DEVICE + DEVICES.length;
  private static final int HOUR_COS = HOUR_SIN + 1;
  private static final int POSITION = HOUR_COS + 1;
  private static final int USER_SKIP_RATE = POSITION + 1;
  private static final int ITEM_POPULARITY = USER_SKIP_RATE + 1;
  private static final int ITEM_SKIP_RATE = ITEM_POPULARITY + 1;

  private SkipFeatures() {}

  /**
   * Whether a drift in this feature should trigger a retrain. Hour of day, session position, the
   * user's running skip rate and the item's recent behaviour move with the clock and with history
   * in any live window, so their PSI is reported but does not trigger.
   */
  public static boolean driftTriggers(int feature) {
    return feature < HOUR_SIN;
  }

  private static List<String> names() {
    List<String> n = new ArrayList<>();
    for (int c = 0; c < COHORTS; c++) {
      for (int g = 0; g < GENRES; g++) {
        n.add("cohort" + c + "_x_genre" + g);
      }
    }
    for (int g = 0; g < GENRES; g++) {
      n.add("genre" + g);
    }
    for (int c = 0; c < COHORTS; c++) {
      n.add("cohort" + c);
    }
    n.add("podcast");
    for (String d : DEVICES) {
      n.add("device_" + d);
    }
    n.add("hour_sin");
    n.add("hour_cos");
    n.add("log_session_position");
    n.add("user_skip_rate");
    n.add("item_popularity");
    n.add("item_skip_rate");
    List<String> padded = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      padded.add(String.format("f%02d_%s", i, n.get(i)));
    }
    return List.copyOf(padded);
  }

  /**
   * One play's features.
   *
   * @param cohort the user's taste cohort, -1 unknown ({@link TasteAttributes})
   * @param genre the item's genre, -1 unknown
   */
  public static float[] vector(int cohort, int genre, String itemType, String device,
      long tsMillis, int sessionPosition, long userPlays, long userSkips, float itemPopularity,
      float itemSkipRate) {
    float[] f = new float[COUNT];
    setTaste(f, cohort, genre);
    f[PODCAST] = "podcast".equals(itemType) ? 1 : 0;
    for (int d = 0; d < DEVICES.length; d++) {
      if (DEVICES[d].equals(device)) {
        f[DEVICE + d] = 1;
      }
    }
    double hour = Math.floorMod(tsMillis, 86_400_000L) / 3_600_000.0;
    f[HOUR_SIN] = (float) Math.sin(2 * Math.PI * hour / 24);
    f[HOUR_COS] = (float) Math.cos(2 * Math.PI * hour / 24);
    f[POSITION] = (float) Math.log1p(sessionPosition);
    f[USER_SKIP_RATE] = (float) ((userSkips + 1.0) / (userPlays + 2.0));
    f[ITEM_POPULARITY] = itemPopularity;
    f[ITEM_SKIP_RATE] = itemSkipRate;
    return f;
  }

  /** These features with the taste categories (cross, genre, cohort) set from {@code cohort} and {@code genre}. */
  public static float[] withTaste(float[] features, int cohort, int genre) {
    float[] f = features.clone();
    Arrays.fill(f, CROSS, PODCAST, 0f);
    setTaste(f, cohort, genre);
    return f;
  }

  private static void setTaste(float[] f, int cohort, int genre) {
    boolean knownCohort = cohort >= 0 && cohort < COHORTS;
    boolean knownGenre = genre >= 0 && genre < GENRES;
    if (knownCohort && knownGenre) {
      f[CROSS + cohort * GENRES + genre] = 1;
    }
    if (knownGenre) {
      f[GENRE + genre] = 1;
    }
    if (knownCohort) {
      f[COHORT + cohort] = 1;
    }
  }
}
