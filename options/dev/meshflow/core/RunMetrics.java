package dev.meshflow.core;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Run-wide counters every layer may use. Each increment goes to a Beam counter (the authoritative
 * figure, read from the PipelineResult at the end) and to a JVM-local meter, which the launcher
 * reads for live progress: Flink's embedded cluster only reports Beam metrics when the job ends.
 */
public final class RunMetrics {
  public static final String NAMESPACE = "meshflow";

  public static final String READ = "records_read";
  public static final String VALID = "events_valid";
  public static final String DUPLICATES = "events_duplicate";
  public static final String DEAD_LETTERS = "dead_letters";
  public static final String ROWS_WRITTEN_PREFIX = "rows_written.";

  private static final Map<String, LongAdder> LOCAL = new ConcurrentHashMap<>();
  /** The newest event time of a valid event in this JVM, for progress lines only. */
  private static final AtomicLong NEWEST_EVENT_MILLIS = new AtomicLong(Long.MIN_VALUE);
  /** The oldest, so that a phase over windows of event time can say how many there will be. */
  private static final AtomicLong OLDEST_EVENT_MILLIS = new AtomicLong(Long.MAX_VALUE);

  private RunMetrics() {}

  /** Rows a sink wrote (inserted or updated) into {@code table}. */
  public static String rowsWritten(String table) {
    return ROWS_WRITTEN_PREFIX + table;
  }

  /** A serializable counter; create it as a DoFn field. */
  public static StageCounter counter(String name) {
    return new StageCounter(name);
  }

  /** Snapshot of the JVM-local meters, for progress lines only. */
  public static Map<String, Long> localSnapshot() {
    Map<String, Long> out = new TreeMap<>();
    LOCAL.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** The sum of the counters whose names start with {@code prefix}, e.g. all dead-letter stages. */
  public static long sumWithPrefix(Map<String, Long> counters, String prefix) {
    return counters.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(Map.Entry::getValue).sum();
  }

  public static void resetLocal() {
    LOCAL.clear();
    NEWEST_EVENT_MILLIS.set(Long.MIN_VALUE);
    OLDEST_EVENT_MILLIS.set(Long.MAX_VALUE);
    WindowedPhase.clear();
  }

  /** Notes the event time of a valid event, so progress can show how far the job has got. */
  public static void noteEventTime(long millis) {
    long seen = NEWEST_EVENT_MILLIS.get();
    while (millis > seen && !NEWEST_EVENT_MILLIS.compareAndSet(seen, millis)) {
      seen = NEWEST_EVENT_MILLIS.get();
    }
    long oldest = OLDEST_EVENT_MILLIS.get();
    while (millis < oldest && !OLDEST_EVENT_MILLIS.compareAndSet(oldest, millis)) {
      oldest = OLDEST_EVENT_MILLIS.get();
    }
  }

  /** The oldest event time noted in this JVM, or null before the first. */
  public static Long oldestEventTime() {
    long t = OLDEST_EVENT_MILLIS.get();
    return t == Long.MAX_VALUE ? null : t;
  }

  /** The newest event time noted in this JVM, or null before the first. */
  public static Long newestEventTime() {
    long t = NEWEST_EVENT_MILLIS.get();
    return t == Long.MIN_VALUE ? null : t;
  }

  /** A counter that updates a Beam metric and the JVM-local meter of the same name. */
  public static final class StageCounter implements Serializable {
    private final String name;
    private transient Counter beamCounter;
    private transient LongAdder local;

    private StageCounter(String name) {
      this.name = name;
    }

    public String name() {
      return name;
    }

    public void inc() {
      inc(1);
    }

    public void inc(long n) {
      if (beamCounter == null) {
        beamCounter = Metrics.counter(NAMESPACE, name);
        local = LOCAL.computeIfAbsent(name, k -> new LongAdder());
      }
      beamCounter.inc(n);
      local.add(n);
    }
  }
}
