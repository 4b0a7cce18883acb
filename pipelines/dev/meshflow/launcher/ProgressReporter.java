package dev.meshflow.launcher;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.WindowedPhase;
import dev.meshflow.io.BacklogProbe;
import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints a progress line every few seconds: records read (with rate), valid, dropped, written, the
 * newest event time with whether the job keeps up with it, and for a stream that can say (Kafka
 * with a consumer group) the records still waiting, or that its service does not answer.
 */
public final class ProgressReporter implements AutoCloseable {
  private final ScheduledExecutorService timer;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final long intervalMillis;
  /** Event time says something about keeping up only in a stream; a batch reads in no order. */
  private final boolean streaming;
  private long lastRead;
  private Long lastLagMillis;
  private long lastNanos = startNanos;
  private Map<String, Long> lastCounters = Map.of();
  private long unchangedSinceNanos = startNanos;
  /** Asks the source's service for the records waiting; null where the source cannot say. */
  private final BacklogProbe backlog;
  private Long lastWaiting;
  private int linesGrowing;
  private long unreachableSinceNanos = -1;
  private long phaseStartNanos = -1;
  private long phaseStartDone;
  private Long lastNewest;
  /** The last line printed, for a dashboard served from this JVM; null before the first. */
  private volatile String lastLine;
  /**
   * Where the job runs when not in this JVM (a cluster's workers), or null: this JVM then sees no
   * count until the job ends, and the line says so instead of "no count has moved".
   */
  private final String remote;

  private ProgressReporter(PrintStream out, int seconds, boolean streaming, BacklogProbe backlog, String remote) {
    this.out = out;
    this.remote = remote;
    this.intervalMillis = seconds * 1000L;
    this.streaming = streaming;
    this.backlog = backlog;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "meshflow-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(this::report, seconds, seconds, TimeUnit.SECONDS);
  }

  /**
   * Starts reporting; {@code seconds <= 0} reports nothing. The reporter closes {@code backlog}
   * (may be null) when it closes.
   */
  public static ProgressReporter start(PrintStream out, int seconds, boolean streaming,
      BacklogProbe backlog) {
    return start(out, seconds, streaming, backlog, null);
  }

  /**
   * Starts reporting on a job that runs on a cluster ({@code remote} says which, for the line),
   * whose counts this JVM sees only when it ends; null for a job in this JVM.
   */
  public static ProgressReporter start(PrintStream out, int seconds, boolean streaming,
      BacklogProbe backlog, String remote) {
    if (seconds > 0) {
      return new ProgressReporter(out, seconds, streaming, backlog, remote);
    }
    if (backlog != null) {
      backlog.close();
    }
    return new ProgressReporter(out);
  }

  private ProgressReporter(PrintStream out) {
    this.out = out;
    this.remote = null;
    this.intervalMillis = 0;
    this.streaming = false;
    this.backlog = null;
    this.timer = null;
  }

  private synchronized void report() {
    long now = System.nanoTime();
    if (remote != null) {
      String line = String.format("[%5.0fs] running on %s; its counts come when it ends%s", (now - startNanos) / 1e9,
          remote, backlog == null ? "" : backlog(backlog.service(), askBacklog(), now));
      lastLine = line;
      out.println(line);
      return;
    }
    Map<String, Long> m = RunMetrics.localSnapshot();
    long read = m.getOrDefault(RunMetrics.READ, 0L);
    double rate = (read - lastRead) / Math.max(1e-9, (now - lastNanos) / 1e9);
    boolean readSome = read > lastRead;
    lastRead = read;
    lastNanos = now;
    long dead = RunMetrics.sumWithPrefix(m, RunMetrics.DEAD_LETTERS + ".");
    long written = RunMetrics.sumWithPrefix(m, RunMetrics.ROWS_WRITTEN_PREFIX);
    String line = String.format("[%5.0fs] read %,d (%,.0f/s) | valid %,d | duplicates %,d | dead letters %,d"
            + " | rows written %,d%s%s%s%s",
        (now - startNanos) / 1e9, read, rate, m.getOrDefault(RunMetrics.VALID, 0L),
        m.getOrDefault(RunMetrics.DUPLICATES, 0L), dead, written,
        streaming ? eventTime(RunMetrics.newestEventTime(), System.currentTimeMillis(), intervalMillis,
            readSome) : "",
        backlog == null ? "" : backlog(backlog.service(), askBacklog(), now),
        phases(WindowedPhase.declared(), m, RunMetrics.oldestEventTime(), RunMetrics.newestEventTime(), now),
        activity(m, now));
    lastLine = line;
    out.println(line);
  }

  /** The last progress line, as printed; null before the first or when progress is off. */
  public String lastLine() {
    return lastLine;
  }

  /**
   * Where a job that works window by window has got, with an estimate of the time left: "training
   * window 3 of 17, about 40 s left". The number of windows comes from the event times read so
   * far, so while reading goes on it is marked "about".
   */
  String phases(List<WindowedPhase> declared, Map<String, Long> counters, Long oldest, Long newest,
      long nowNanos) {
    StringBuilder line = new StringBuilder();
    boolean stillReading = newest != null && !newest.equals(lastNewest);
    lastNewest = newest;
    for (WindowedPhase phase : declared) {
      long done = phase.done(counters);
      if (done == 0 || oldest == null || newest == null) {
        continue;
      }
      if (phaseStartNanos < 0) {
        phaseStartNanos = nowNanos;
        phaseStartDone = done;
      }
      long planned = Math.max(done, phase.windowsCovering(oldest, newest));
      if (done >= planned && !stillReading) {
        line.append(" | ").append(phase.unit).append("s done: ").append(String.format("%,d", done));
        continue;
      }
      // The window being worked on is the one after those done.
      line.append(String.format(" | %s %,d of %s%,d", phase.unit, Math.min(done + 1, planned),
          stillReading ? "about " : "", planned));
      double perSecond = (done - phaseStartDone) / Math.max(1e-9, (nowNanos - phaseStartNanos) / 1e9);
      if (!stillReading && perSecond > 0) {
        line.append(", about ").append(approximate((long) ((planned - done) / perSecond * 1000))).append(" left");
      }
    }
    return line.toString();
  }

  private Long askBacklog() {
    try {
      return backlog.waiting();
    } catch (RuntimeException unreachable) {
      return null;
    }
  }

  /**
   * The records waiting in the source, and whether the job falls behind: the lag grew over two
   * lines running (one rise can be a checkpoint's commit still to come), or shrank. With the
   * service away ({@code waiting} null), one line of our own says so and for how long; the job
   * itself waits and reads on when the service is back.
   */
  String backlog(String service, Long waiting, long nowNanos) {
    if (waiting == null) {
      if (unreachableSinceNanos < 0) {
        unreachableSinceNanos = nowNanos;
      }
      long away = (nowNanos - unreachableSinceNanos) / 1_000_000_000L;
      return " | " + service + " not answering"
          + (away > 0 ? " for " + away + " s" : "") + "; the job waits for it";
    }
    unreachableSinceNanos = -1;
    String trend = "";
    if (lastWaiting != null) {
      linesGrowing = waiting > lastWaiting ? linesGrowing + 1 : 0;
      trend = linesGrowing >= 2 ? ", falling behind" : waiting < lastWaiting ? ", catching up" : "";
    }
    lastWaiting = waiting;
    return String.format(" | consumer lag %,d%s", waiting, trend);
  }

  /**
   * What else moved since the last line (a job's own counters, such as models_trained), or how long
   * nothing has: a long training step then reads as work going on, not as a hung job.
   */
  String activity(Map<String, Long> counters, long nowNanos) {
    StringBuilder moved = new StringBuilder();
    counters.forEach((name, value) -> {
      if (!RunCounts.hasOwnLine(name) && !inPhase(name) && !value.equals(lastCounters.get(name))) {
        moved.append(" | ").append(name).append(String.format(" %,d", value));
      }
    });
    boolean anyMoved = !counters.equals(lastCounters);
    lastCounters = Map.copyOf(counters);
    if (anyMoved) {
      unchangedSinceNanos = nowNanos;
      return moved.toString();
    }
    long quiet = (nowNanos - unchangedSinceNanos) / 1_000_000_000L;
    return quiet == 0 ? "" : " | working: no count has moved for " + quiet + " s";
  }

  /** A counter the phase part of the line already tells (once event time is known). */
  private static boolean inPhase(String counter) {
    return RunMetrics.oldestEventTime() != null
        && WindowedPhase.declared().stream().anyMatch(p -> p.doneCounters.contains(counter));
  }

  /**
   * How far event time has got, and whether the job keeps up: the lag behind the wall clock grew
   * (falling behind), shrank (catching up, as in a replay of history), or held within half a
   * reporting interval (keeping up). With nothing read since the last line the lag grows because
   * no input came, which says nothing about the job: the line says so instead.
   */
  String eventTime(Long newest, long nowMillis, long interval, boolean readSome) {
    if (newest == null) {
      return "";
    }
    long lag = nowMillis - newest; // negative where event time runs ahead (a generator's does)
    String trend = "";
    if (!readSome) {
      trend = ", no new records";
    } else if (lastLagMillis != null) {
      long change = lag - lastLagMillis;
      trend = change > interval / 2 ? ", falling behind"
          : change < -interval / 2 ? ", catching up" : ", keeping up";
    }
    lastLagMillis = lag;
    return " | event time " + java.time.Instant.ofEpochMilli(newest).truncatedTo(ChronoUnit.SECONDS)
        + " (" + (lag >= 0 ? approximate(lag) + " behind" : approximate(-lag) + " ahead") + trend + ")";
  }

  /** A lag as people say it: 12 s, 4 min, 3.5 h, 272 d. */
  static String approximate(long millis) {
    long s = millis / 1000;
    if (s < 120) {
      return s + " s";
    }
    if (s < 2 * 3600) {
      return s / 60 + " min";
    }
    if (s < 2 * 86_400) {
      return String.format("%.1f h", s / 3600.0);
    }
    return s / 86_400 + " d";
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    if (backlog != null) {
      backlog.close();
    }
  }
}
