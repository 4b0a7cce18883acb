package dev.meshflow.transforms.clickstream;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What leaves the parse step of personal data: the IP truncated (IPv4 to its /24, IPv6 to its
 * /48) or replaced by a keyed HMAC-SHA256, and e-mail addresses and phone numbers in free text
 * replaced by {@code [email]} and {@code [phone]}. Plain Java: the pipeline and the model share it.
 */
public final class ClickPrivacy implements Serializable {
  /** How the IP is kept. */
  public enum IpMode { TRUNCATE, HMAC }

  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
  // Seven or more digits, optionally with a leading + and spaces, dots, dashes or brackets between.
  private static final Pattern PHONE = Pattern.compile("\\+?\\d[\\d ().-]{5,}\\d");

  private final IpMode ipMode;
  private final byte[] key;
  private transient Mac mac;

  private ClickPrivacy(IpMode ipMode, byte[] key) {
    this.ipMode = ipMode;
    this.key = key;
  }

  public static ClickPrivacy truncating() {
    return new ClickPrivacy(IpMode.TRUNCATE, null);
  }

  /** @throws IllegalArgumentException if the key is shorter than 16 bytes */
  public static ClickPrivacy hashing(byte[] key, String keySource) {
    if (key == null || key.length < 16) {
      throw new IllegalArgumentException("--ipPrivacy=hmac needs a key of at least 16 bytes in the"
          + " environment variable " + keySource + " (e.g. export " + keySource
          + "=$(openssl rand -hex 32))");
    }
    return new ClickPrivacy(IpMode.HMAC, key.clone());
  }

  public String ip(String ip) {
    if (ipMode == IpMode.HMAC) {
      return "hmac:" + hmac(ip);
    }
    int dot = ip.lastIndexOf('.');
    if (ip.indexOf(':') < 0 && dot > 0) {
      return ip.substring(0, dot) + ".0";
    }
    String[] groups = ip.split(":", -1);
    return groups.length >= 3 ? groups[0] + ":" + groups[1] + ":" + groups[2] + "::" : "::";
  }

  public static String scrub(String text) {
    if (text == null) {
      return null;
    }
    return PHONE.matcher(EMAIL.matcher(text).replaceAll("[email]")).replaceAll("[phone]");
  }

  private String hmac(String value) {
    try {
      if (mac == null) {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
      }
      byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }
}
