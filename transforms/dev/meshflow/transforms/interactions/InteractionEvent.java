package dev.meshflow.transforms.interactions;

import dev.meshflow.core.Traceable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A validated interaction: a user played, skipped, liked or playlisted a song or podcast. It keeps
 * its origin and original bytes so that a later stage (lateness) can still dead-letter it intact.
 */
public final class InteractionEvent implements Traceable {
  private final String eventId;
  private final long timestampMillis;
  private final String userId;
  private final String itemId;
  private final String itemType;
  private final String eventType;
  private final String device;
  private final String sessionId;
  private final Long durationMs;
  private final String origin;
  private final byte[] payload;

  public InteractionEvent(
      String eventId, long timestampMillis, String userId, String itemId, String itemType,
      String eventType, String device, String sessionId, Long durationMs, String origin,
      byte[] payload) {
    this.eventId = eventId;
    this.timestampMillis = timestampMillis;
    this.userId = userId;
    this.itemId = itemId;
    this.itemType = itemType;
    this.eventType = eventType;
    this.device = device;
    this.sessionId = sessionId;
    this.durationMs = durationMs;
    this.origin = origin;
    this.payload = payload;
  }

  private static final byte[] NO_PAYLOAD = new byte[0];

  /** The same event without its original bytes, for stages that can no longer dead-letter it. */
  public InteractionEvent withoutPayload() {
    return new InteractionEvent(eventId, timestampMillis, userId, itemId, itemType, eventType,
        device, sessionId, durationMs, origin, NO_PAYLOAD);
  }

  /**
   * What the per-item statistics count and dedupe needs (id, time, user, item, event type and
   * origin), for the shuffles of interaction-analytics: no payload, device, session or duration.
   */
  public InteractionEvent forTally() {
    return new InteractionEvent(eventId, timestampMillis, userId, itemId, itemType, eventType,
        null, null, null, origin, NO_PAYLOAD);
  }

  public String eventId() {
    return eventId;
  }

  @Override
  public long timestampMillis() {
    return timestampMillis;
  }

  public String userId() {
    return userId;
  }

  public String itemId() {
    return itemId;
  }

  public String itemType() {
    return itemType;
  }

  public String eventType() {
    return eventType;
  }

  public String device() {
    return device;
  }

  public String sessionId() {
    return sessionId;
  }

  public Long durationMs() {
    return durationMs;
  }

  @Override
  public String origin() {
    return origin;
  }

  @Override
  public byte[] payload() {
    return payload;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof InteractionEvent)) {
      return false;
    }
    InteractionEvent e = (InteractionEvent) o;
    return timestampMillis == e.timestampMillis && eventId.equals(e.eventId)
        && userId.equals(e.userId) && itemId.equals(e.itemId) && itemType.equals(e.itemType)
        && eventType.equals(e.eventType) && Objects.equals(device, e.device)
        && Objects.equals(sessionId, e.sessionId) && Objects.equals(durationMs, e.durationMs)
        && origin.equals(e.origin) && Arrays.equals(payload, e.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, timestampMillis, origin);
  }

  @Override
  public String toString() {
    return "InteractionEvent{" + eventId + " " + eventType + " " + itemId + " by " + userId + " at "
        + java.time.Instant.ofEpochMilli(timestampMillis) + "}";
  }
}
