package dev.meshflow.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Equality assertions that report a short difference instead of two whole tables. */
public final class Diff {
  private static final int SHOWN = 5;

  private Diff() {}

  public static void assertSameLines(String what, Collection<String> expected, Collection<String> actual) {
    TreeSet<String> missing = new TreeSet<>(expected);
    missing.removeAll(actual);
    TreeSet<String> extra = new TreeSet<>(actual);
    extra.removeAll(expected);
    if (missing.isEmpty() && extra.isEmpty() && expected.size() == actual.size()) {
      return;
    }
    throw new AssertionError(what + ": expected " + expected.size() + " lines, got " + actual.size()
        + "; missing " + missing.size() + " " + first(missing) + "; unexpected " + extra.size() + " "
        + first(extra));
  }

  /** Every line of {@code before} is still in {@code after}, unchanged; {@code after} may have more. */
  public static void assertContainsAll(String what, Collection<String> before, Collection<String> after) {
    TreeSet<String> missing = new TreeSet<>(before);
    missing.removeAll(after);
    if (!missing.isEmpty()) {
      throw new AssertionError(what + ": " + missing.size() + " of " + before.size()
          + " lines gone or changed " + first(missing));
    }
  }

  public static void assertSameEntries(String what, Map<String, String> expected, Map<String, String> actual) {
    List<String> e = new ArrayList<>();
    expected.forEach((k, v) -> e.add(k + " -> " + v));
    List<String> a = new ArrayList<>();
    actual.forEach((k, v) -> a.add(k + " -> " + v));
    assertSameLines(what, e, a);
  }

  private static List<String> first(TreeSet<String> lines) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      if (out.size() == SHOWN) {
        out.add("...");
        break;
      }
      out.add(l.length() > 300 ? l.substring(0, 300) + "..." : l);
    }
    return out;
  }
}
