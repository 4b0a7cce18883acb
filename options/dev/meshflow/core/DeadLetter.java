package dev.meshflow.core;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * A record a pipeline could not use: its original bytes, unchanged, with why, where and when. The
 * id is derived from (stage, origin), so replaying the same input upserts the same dead letters.
 */
public final class DeadLetter {
  public static final String TABLE = "dead_letter";
  public static final java.util.List<String> KEY = java.util.List.of("id");

  public static final Schema SCHEMA =
      Schema.builder()
          .addStringField("id")
          .addStringField("stage")
          .addStringField("reason")
          .addStringField("origin")
          .addByteArrayField("payload")
          .addNullableField("payload_text", Schema.FieldType.STRING)
          .addNullableField("event_ts", Schema.FieldType.DATETIME)
          .addDateTimeField("failed_at")
          .build();

  private final String stage;
  private final String reason;
  private final String origin;
  private final byte[] payload;
  private final Long eventTimeMillis;
  private final long failedAtMillis;

  public DeadLetter(
      String stage, String reason, String origin, byte[] payload, Long eventTimeMillis,
      long failedAtMillis) {
    this.stage = Objects.requireNonNull(stage);
    this.reason = Objects.requireNonNull(reason);
    this.origin = Objects.requireNonNull(origin);
    this.payload = Objects.requireNonNull(payload);
    this.eventTimeMillis = eventTimeMillis;
    this.failedAtMillis = failedAtMillis;
  }

  public String stage() {
    return stage;
  }

  public String reason() {
    return reason;
  }

  public String origin() {
    return origin;
  }

  public byte[] payload() {
    return payload;
  }

  public Long eventTimeMillis() {
    return eventTimeMillis;
  }

  public long failedAtMillis() {
    return failedAtMillis;
  }

  public String id() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(stage.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(origin.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The payload as text when it is valid UTF-8 without NUL characters (which PostgreSQL text
   * cannot hold), for people reading the table; else null. The bytes are always in payload.
   */
  public String payloadText() {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(payload))
          .toString();
      return text.indexOf('\0') >= 0 ? null : text;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  public Row toRow() {
    return Row.withSchema(SCHEMA)
        .addValues(
            id(), stage, reason, origin, payload, payloadText(),
            eventTimeMillis == null ? null : new Instant(eventTimeMillis),
            new Instant(failedAtMillis))
        .build();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DeadLetter)) {
      return false;
    }
    DeadLetter d = (DeadLetter) o;
    return stage.equals(d.stage) && reason.equals(d.reason) && origin.equals(d.origin)
        && Arrays.equals(payload, d.payload) && Objects.equals(eventTimeMillis, d.eventTimeMillis)
        && failedAtMillis == d.failedAtMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(stage, reason, origin, Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "DeadLetter{" + stage + ", " + origin + ", " + reason + "}";
  }
}
