package dev.meshflow.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;

/** Row-for-row comparison that reports the first differences, not thousands of rows. */
public final class Rows {
  private Rows() {}

  public static <T> void assertSame(List<T> expected, List<T> actual) {
    if (expected.equals(actual)) {
      return;
    }
    List<String> diffs = new ArrayList<>();
    int n = Math.max(expected.size(), actual.size());
    for (int i = 0; i < n && diffs.size() < 5; i++) {
      T e = i < expected.size() ? expected.get(i) : null;
      T a = i < actual.size() ? actual.get(i) : null;
      if (e == null || !e.equals(a)) {
        diffs.add("row " + i + ": expected " + e + "\n        but was " + a);
      }
    }
    fail("expected " + expected.size() + " rows, got " + actual.size() + "; first differences:\n  "
        + String.join("\n  ", diffs));
  }
}
