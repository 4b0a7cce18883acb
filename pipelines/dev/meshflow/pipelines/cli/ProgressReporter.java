package dev.meshflow.pipelines.cli;

import dev.meshflow.options.RunMetrics;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Prints a progress line every few seconds: records read (with rate), valid, dropped, written. */
public final class ProgressReporter implements AutoCloseable {
  private final ScheduledExecutorService timer;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private long lastRead;
  private long lastNanos = startNanos;

  private ProgressReporter(PrintStream out, int seconds) {
    this.out = out;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "meshflow-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(this::report, seconds, seconds, TimeUnit.SECONDS);
  }

  /** Starts reporting; {@code seconds <= 0} reports nothing. */
  public static ProgressReporter start(PrintStream out, int seconds) {
    return seconds > 0 ? new ProgressReporter(out, seconds) : new ProgressReporter(out);
  }

  private ProgressReporter(PrintStream out) {
    this.out = out;
    this.timer = null;
  }

  private synchronized void report() {
    Map<String, Long> m = RunMetrics.localSnapshot();
    long now = System.nanoTime();
    long read = m.getOrDefault(RunMetrics.READ, 0L);
    double rate = (read - lastRead) / Math.max(1e-9, (now - lastNanos) / 1e9);
    lastRead = read;
    lastNanos = now;
    long dead = RunMetrics.sumWithPrefix(m, RunMetrics.DEAD_LETTERS + ".");
    long written = RunMetrics.sumWithPrefix(m, RunMetrics.ROWS_WRITTEN_PREFIX);
    out.printf("[%5.0fs] read %,d (%,.0f/s) | valid %,d | duplicates %,d | dead letters %,d"
            + " | rows written %,d%n",
        (now - startNanos) / 1e9, read, rate, m.getOrDefault(RunMetrics.VALID, 0L),
        m.getOrDefault(RunMetrics.DUPLICATES, 0L), dead, written);
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
