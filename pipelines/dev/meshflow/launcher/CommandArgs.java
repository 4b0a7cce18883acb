package dev.meshflow.launcher;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How the launcher's own commands (produce, ingest-api) read {@code --name=value} options. */
final class CommandArgs {
  private CommandArgs() {}

  /** Each {@code --name=value} as name to value ({@code --help} and {@code -h} map to ""). */
  static Map<String, String> options(List<String> args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      options.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "" : a.substring(eq + 1));
    }
    return options;
  }

  static boolean wantsHelp(Map<String, String> options) {
    return options.containsKey("--help") || options.containsKey("-h");
  }

  /** {@code value} as a number from {@code min} to {@code max}, or a usage error naming the option. */
  static long wholeNumber(String command, String name, String value, long min, long max) {
    try {
      long n = Long.parseLong(value);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(command + ": " + name + "=" + value + " is not a whole number"
          + (min == Long.MIN_VALUE ? "" : " from " + min + (max == Long.MAX_VALUE ? "" : " to " + max))
          + " (./meshflow " + command + " --help)");
    }
  }

  static IllegalArgumentException unknown(String command, String name, String value) {
    return new IllegalArgumentException(command + ": unknown option " + name
        + (value.isEmpty() ? "" : "=" + value) + " (./meshflow " + command + " --help)");
  }
}
