package dev.meshflow.io.mesh.governance;

import java.util.regex.Pattern;

/**
 * The names governance acts on: domains, products and grant ids. A name is checked before it is
 * used for anything, so a path separator, a quote, SQL or a shell metacharacter never reaches a
 * file path, a statement or a command.
 */
public final class MeshNames {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  private static final Pattern GRANT_ID = Pattern.compile("g-[1-9][0-9]{0,8}");

  private MeshNames() {}

  /** Whether {@code value} is a plain name: lower-case letters, digits, _ and -, at most 63. */
  public static boolean isName(String value) {
    return value != null && NAME.matcher(value).matches();
  }

  /** Whether {@code value} is a grant id, such as g-7. */
  static boolean isGrantId(String value) {
    return value != null && GRANT_ID.matcher(value).matches();
  }

  /** {@code value} if it is a plain name ({@link #isName}). */
  public static String require(String kind, String value) {
    if (!isName(value)) {
      throw new IllegalArgumentException("'" + printable(value) + "' is not a " + kind + " name: use"
          + " lower-case letters, digits, _ and -, starting with a letter (e.g. analytics)");
    }
    return value;
  }

  /** {@code value} if it is a grant id, such as g-7. */
  public static String requireGrantId(String value) {
    if (!isGrantId(value)) {
      throw new IllegalArgumentException("'" + printable(value) + "' is not a grant id; ids look like g-7"
          + " (./meshflow access list shows them)");
    }
    return value;
  }

  /** A value as it may be shown in a message: control characters escaped, at most 80 chars. */
  static String printable(String value) {
    if (value == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (char c : value.toCharArray()) {
      b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return b.length() > 80 ? b.substring(0, 77) + "..." : b.toString();
  }
}
