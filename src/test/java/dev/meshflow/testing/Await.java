package dev.meshflow.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/** Waits for a condition with a deadline; the failure says what was awaited and what was seen. */
public final class Await {
  private Await() {}

  public static <T> T until(String what, Duration timeout, Callable<T> probe,
      java.util.function.Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = probe.call();
        if (done.test(last)) {
          return last;
        }
      } catch (java.sql.SQLException notYet) {
        // the table may not exist before the first write
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    String threads = RunnerThreads.summary();
    System.out.println("timed out waiting for " + what + "; runner threads:\n" + threads);
    throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last seen: " + last
        + (threads.isEmpty() ? "" : "; runner threads: " + threads.replace('\n', ';')));
  }
}
