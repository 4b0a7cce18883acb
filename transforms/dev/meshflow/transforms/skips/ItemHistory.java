package dev.meshflow.transforms.skips;

import java.io.Serializable;

/**
 * What the item step remembers of an item: its plays and skips, each decayed with a half-life of
 * {@link #HALF_LIFE_MILLIS} of event time, so the features describe the item's recent behaviour
 * rather than its whole past. Events must come in event-time order.
 */
public final class ItemHistory implements Serializable {
  public static final long HALF_LIFE_MILLIS = 3_600_000;

  private double plays;
  private double skips;
  private long atMillis = Long.MIN_VALUE;

  /** Decays the counts to {@code tsMillis}; never backwards. */
  private void advance(long tsMillis) {
    if (atMillis != Long.MIN_VALUE && tsMillis > atMillis) {
      double factor = Math.pow(0.5, (tsMillis - atMillis) / (double) HALF_LIFE_MILLIS);
      plays *= factor;
      skips *= factor;
    }
    atMillis = Math.max(atMillis, tsMillis);
  }

  /** Recent plays before {@code tsMillis}, as {@code log(1 + decayed plays)}. */
  public float popularity(long tsMillis) {
    advance(tsMillis);
    return (float) Math.log1p(plays);
  }

  /** The recent skip rate before {@code tsMillis}, smoothed: (skips + 1) / (plays + 2). */
  public float skipRate(long tsMillis) {
    advance(tsMillis);
    return (float) ((skips + 1) / (plays + 2));
  }

  public void play(long tsMillis) {
    advance(tsMillis);
    plays++;
  }

  public void skip(long tsMillis) {
    advance(tsMillis);
    skips++;
  }

  /** The histories of the items that share a state bucket. */
  public static final class Bucket extends java.util.HashMap<String, ItemHistory> {
    ItemHistory of(String itemId) {
      return computeIfAbsent(itemId, i -> new ItemHistory());
    }
  }
}
