package dev.meshflow.launcher;

/** The launcher's own commands read whole-number options the same way, with the same message. */
final class WholeNumbers {
  private WholeNumbers() {}

  /** {@code value} as a number from {@code min} to {@code max}, or a usage error naming the option. */
  static long parse(String command, String name, String value, long min, long max) {
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
}
