package dev.meshflow.transforms.ingest;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.beam.sdk.values.Row;

/**
 * Hash (keyed HMAC-SHA256), mask or drop named columns. A keyed hash keeps values joinable within
 * the warehouse without exposing them, and cannot be reversed by hashing guesses without the key.
 */
public final class PrivacyRules implements Serializable {
  /** What happens to one column. */
  public enum Action { HASH, MASK, DROP }

  private final Map<String, Action> actions;
  private final byte[] hmacKey;
  private transient Mac mac;

  private PrivacyRules(Map<String, Action> actions, byte[] hmacKey) {
    this.actions = actions;
    this.hmacKey = hmacKey;
  }

  public static PrivacyRules none() {
    return new PrivacyRules(Map.of(), null);
  }

  /**
   * @param hmacKey required when any column is hashed
   * @throws IllegalArgumentException for an unknown column, a column named twice, or no key
   */
  public static PrivacyRules of(String hash, String mask, String drop, byte[] hmacKey,
      String keySource) {
    Map<String, Action> actions = new TreeMap<>();
    add(actions, EtlSpec.csv(hash), Action.HASH, "--hashFields");
    add(actions, EtlSpec.csv(mask), Action.MASK, "--maskFields");
    add(actions, EtlSpec.csv(drop), Action.DROP, "--dropFields");
    if (actions.containsValue(Action.HASH) && (hmacKey == null || hmacKey.length < 16)) {
      throw new IllegalArgumentException("--hashFields needs an HMAC key of at least 16 bytes in"
          + " the environment variable " + keySource + " (e.g. export " + keySource
          + "=$(openssl rand -hex 32))");
    }
    return new PrivacyRules(actions, hmacKey);
  }

  private static void add(Map<String, Action> actions, List<String> columns, Action action,
      String option) {
    for (String c : columns) {
      if (!InteractionsTable.PRIVATE_COLUMNS.contains(c)) {
        throw new IllegalArgumentException(option + ": '" + c + "' is not one of "
            + InteractionsTable.PRIVATE_COLUMNS);
      }
      if (actions.put(c, action) != null) {
        throw new IllegalArgumentException(option + ": '" + c + "' is named by two privacy options");
      }
    }
  }

  public boolean isEmpty() {
    return actions.isEmpty();
  }

  public Row apply(Row row) {
    if (actions.isEmpty()) {
      return row;
    }
    Row.FieldValueBuilder b = Row.fromRow(row);
    for (Map.Entry<String, Action> e : actions.entrySet()) {
      String value = row.getString(e.getKey());
      b = b.withFieldValue(e.getKey(), value == null ? null : transform(e.getValue(), value));
    }
    return b.build();
  }

  private String transform(Action action, String value) {
    switch (action) {
      case HASH:
        return hmac(value);
      case MASK:
        return value.length() <= 2 ? "**" : "*".repeat(value.length() - 2) + value.substring(value.length() - 2);
      default:
        return null;
    }
  }

  /** HMAC-SHA256 of the value, hex, first 128 bits: short enough to read, long enough to join. */
  public String hmac(String value) {
    try {
      if (mac == null) {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
      }
      return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)), 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return actions.toString(); // never the key
  }
}
