package dev.meshflow.io;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A parsed source or sink URI: {@code scheme:body?key=value&key=value}. Parameters are checked
 * against what the endpoint accepts, so a typo fails fast with the list of valid names.
 */
public final class EndpointUri {
  private final String kind;
  private final String text;
  private final String scheme;
  private final String body;
  private final Map<String, String> params;

  private EndpointUri(String kind, String text, String scheme, String body, Map<String, String> params) {
    this.kind = kind;
    this.text = text;
    this.scheme = scheme;
    this.body = body;
    this.params = params;
  }

  /** @param kind the option's name without dashes ("source", "sink", "positions"), for messages */
  public static EndpointUri parse(String kind, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("--" + kind + " is empty");
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "--" + kind + "=" + text + " has no scheme; expected <scheme>:<location>");
    }
    String scheme = text.substring(0, colon);
    String rest = text.substring(colon + 1);
    int q = rest.indexOf('?');
    String body = q < 0 ? rest : rest.substring(0, q);
    Map<String, String> params = new LinkedHashMap<>();
    if (q >= 0 && q < rest.length() - 1) {
      for (String pair : rest.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              "--" + kind + "=" + text + ": parameter '" + pair + "' is not key=value");
        }
        params.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      }
    }
    return new EndpointUri(kind, redact(text), scheme, body, Collections.unmodifiableMap(params));
  }

  private static final java.util.regex.Pattern SECRET_PARAM =
      java.util.regex.Pattern.compile("(?i)((?:password|secret)=)[^&]*");
  /** {@code //user:password@}, the user in group 1. */
  private static final java.util.regex.Pattern USER_INFO_PASSWORD =
      java.util.regex.Pattern.compile("(//[^/:@?]+):[^@/?]*@");

  /** The URI as it may be shown: passwords in parameters or in user:password@ are masked. */
  public static String redact(String text) {
    String out = SECRET_PARAM.matcher(text).replaceAll("$1***");
    return USER_INFO_PASSWORD.matcher(out).replaceAll("$1:***@");
  }

  /** The URI with a password in user:password@ taken out, leaving user@. */
  public static String withoutUserInfoPassword(String text) {
    return USER_INFO_PASSWORD.matcher(text).replaceAll("$1@");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** The option as the user gave it, e.g. {@code --positions=file:...}, for error messages (redacted). */
  public String option() {
    return "--" + kind + "=" + text;
  }

  /** The URI for messages and logs, with secrets masked. */
  public String text() {
    return text;
  }

  public String scheme() {
    return scheme;
  }

  public String body() {
    return body;
  }

  public Map<String, String> params() {
    return params;
  }

  /** Fails on any parameter not in {@code allowed}. */
  public EndpointUri requireOnly(Set<String> allowed) {
    for (String key : params.keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(
            text + ": unknown parameter '" + key + "'; "
                + (allowed.isEmpty() ? "this URI takes none" : "accepted: " + String.join(", ", allowed)));
      }
    }
    return this;
  }

  public long longParam(String key, long defaultValue, long min, long max) {
    String v = params.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < min || n > max) {
        throw new IllegalArgumentException(
            text + ": " + key + "=" + v + " is out of range [" + min + ", " + max + "]");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(text + ": " + key + "=" + v + " is not a whole number");
    }
  }

  public double fractionParam(String key, double defaultValue) {
    String v = params.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      double d = Double.parseDouble(v.trim());
      if (!(d >= 0.0 && d <= 1.0)) {
        throw new IllegalArgumentException(
            text + ": " + key + "=" + v + " must be a fraction between 0 and 1");
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(text + ": " + key + "=" + v + " is not a number");
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
