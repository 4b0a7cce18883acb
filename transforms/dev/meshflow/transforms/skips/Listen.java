package dev.meshflow.transforms.skips;

import java.util.Arrays;
import java.util.Objects;

/** One play to predict: which play (its event id), whose, of what, when, and its features. */
public final class Listen {
  public final String listenId;
  public final String userId;
  public final String itemId;
  public final String sessionId;
  public final long tsMillis;
  public final float[] features;

  public Listen(String listenId, String userId, String itemId, String sessionId, long tsMillis, float[] features) {
    this.listenId = Objects.requireNonNull(listenId);
    this.userId = Objects.requireNonNull(userId);
    this.itemId = Objects.requireNonNull(itemId);
    this.sessionId = sessionId == null ? "" : sessionId;
    this.tsMillis = tsMillis;
    this.features = Objects.requireNonNull(features);
  }

  /** What an outcome must match: the same session and item. */
  public String outcomeKey() {
    return outcomeKey(sessionId, itemId);
  }

  /** The outcome key of an event in {@code sessionId} (none: "") about {@code itemId}. */
  public static String outcomeKey(String sessionId, String itemId) {
    return (sessionId == null ? "" : sessionId) + "|" + itemId;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Listen)) {
      return false;
    }
    Listen l = (Listen) o;
    return listenId.equals(l.listenId) && userId.equals(l.userId) && itemId.equals(l.itemId)
        && sessionId.equals(l.sessionId) && tsMillis == l.tsMillis && Arrays.equals(features, l.features);
  }

  @Override
  public int hashCode() {
    return listenId.hashCode();
  }

  @Override
  public String toString() {
    return listenId + " " + userId + " " + itemId + " @" + tsMillis + " " + Arrays.toString(features);
  }
}
