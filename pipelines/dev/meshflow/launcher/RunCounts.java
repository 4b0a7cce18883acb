package dev.meshflow.launcher;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.pipelines.Conservation;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * The run's counters as the runner reports them. Attempted values, because Flink and Spark do not
 * report committed ones; for a finished batch job they are the same.
 */
public final class RunCounts {
  private static final String RUNNER_LATE_NAMESPACE =
      "org.apache.beam.runners.core.LateDataDroppingDoFnRunner";
  private static final String RUNNER_LATE_NAME = "droppedDueToLateness";
  private static final String RUNNER_DROPPED_LATE = "runner_dropped_late";
  // Names shared with the transforms; pipelines may depend on them, not the other way round.
  private static final String FILTERED = dev.meshflow.transforms.ingest.IngestEtl.FILTERED;
  private static final String SINK_STAGE = dev.meshflow.core.Stages.SINK;

  private final PipelineResult result;
  private volatile Map<String, Long> counters;

  private RunCounts(PipelineResult result, Map<String, Long> counters) {
    this.result = result;
    this.counters = counters;
  }

  /**
   * The counters once they have settled. The DirectRunner folds each finished bundle's counters
   * into the totals on a background thread (DirectMetrics' committer), so a query right after
   * {@code waitUntilFinish} can miss the last bundles; CI once saw 4,166 of 5,000 rows. The totals
   * are read every 20 ms until they have not changed for {@value #QUIET_READS} reads in a row (at
   * most about 3 s). Two equal reads 20 ms apart were not enough: on a loaded CI machine the last
   * commit came later than that (an ELT run counted 5,000 records read and fewer written).
   */
  public static RunCounts of(PipelineResult result) {
    Map<String, Long> previous = read(result);
    int unchanged = 0;
    for (int i = 0; i < 150 && unchanged < QUIET_READS; i++) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      Map<String, Long> current = read(result);
      unchanged = current.equals(previous) ? unchanged + 1 : 0;
      previous = current;
    }
    return new RunCounts(result, previous);
  }

  /** Reads, 20 ms apart, that must find the totals unchanged before they count as settled. */
  private static final int QUIET_READS = 5;

  private static Map<String, Long> read(PipelineResult result) {
    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.inNamespace(RunMetrics.NAMESPACE)).build());
    Map<String, Long> counters = new TreeMap<>();
    for (MetricResult<Long> c : metrics.getCounters()) {
      counters.merge(c.getName().getName(), c.getAttempted(), Long::sum);
    }
    // Elements the runner dropped as late are outside our own counters; surface them so that a
    // gap in conservation is explained rather than hidden.
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(RUNNER_LATE_NAMESPACE, RUNNER_LATE_NAME)).build())
        .getCounters()) {
      counters.merge(RUNNER_DROPPED_LATE, c.getAttempted(), Long::sum);
    }
    return counters;
  }

  public long get(String name) {
    return counters.getOrDefault(name, 0L);
  }

  public long read() {
    return get(RunMetrics.READ);
  }

  public long valid() {
    return get(RunMetrics.VALID);
  }

  public long duplicates() {
    return get(RunMetrics.DUPLICATES);
  }

  public long deadLetters() {
    return RunMetrics.sumWithPrefix(counters, RunMetrics.DEAD_LETTERS + ".");
  }

  /** Elements a runner's windowing dropped as late without a dead letter; should stay 0. */
  public long runnerDroppedLate() {
    return get(RUNNER_DROPPED_LATE);
  }

  /** Dead letters per stage, e.g. {parse=12, late=3}. */
  public Map<String, Long> deadLettersByStage() {
    Map<String, Long> out = new TreeMap<>();
    String prefix = RunMetrics.DEAD_LETTERS + ".";
    counters.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      }
    });
    return out;
  }

  /** Rows written per table. */
  public Map<String, Long> rowsWritten() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> {
      if (k.startsWith(RunMetrics.ROWS_WRITTEN_PREFIX)) {
        out.put(k.substring(RunMetrics.ROWS_WRITTEN_PREFIX.length()), v);
      }
    });
    return out;
  }

  /**
   * The stage counters the summary has no line of its own for, such as models trained, files
   * loaded or sessions scored.
   */
  public Map<String, Long> others() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> {
      if (!hasOwnLine(k)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** Whether a counter has a line of its own in the summary, unlike a job's own (models_trained). */
  public static boolean hasOwnLine(String counter) {
    return counter.equals(RunMetrics.READ) || counter.equals(RunMetrics.VALID)
        || counter.equals(RunMetrics.DUPLICATES) || counter.equals(FILTERED)
        || counter.equals(RUNNER_DROPPED_LATE) || counter.startsWith(RunMetrics.DEAD_LETTERS + ".")
        || counter.startsWith(RunMetrics.ROWS_WRITTEN_PREFIX);
  }

  /** Events the ETL chain filtered out by type, on purpose. */
  public long filtered() {
    return get(FILTERED);
  }

  /** What the conservation identity adds up to the records read. */
  public long accounted(Conservation c) {
    long dead = deadLetters();
    if (!c.sinkRefusalsAreRecords()) {
      dead -= get(RunMetrics.DEAD_LETTERS + "." + SINK_STAGE);
    }
    return get(c.deliveredCounter()) + filtered() + duplicates() + dead;
  }

  /**
   * read = delivered + filtered + duplicates + dead letters: nothing lost, nothing invented. On
   * the DirectRunner a bundle's counters can still arrive after the totals looked settled (a
   * loaded machine, CI: an ELT run once counted 5,000 read and fewer written). A total that does
   * not add up is therefore read again for up to {@value #RECHECK_SECONDS} s before it counts as
   * a mismatch, and this object then holds the newer totals.
   */
  public boolean conserved(Conservation c) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(RECHECK_SECONDS);
    while (read() != accounted(c) && result != null && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
      counters = read(result);
    }
    return read() == accounted(c);
  }

  private static final int RECHECK_SECONDS = 3;

  /** The identity as words, for the summary. */
  public String identity(Conservation c) {
    return c.deliveredLabel() + (filtered() > 0 ? " + filtered" : "") + " + duplicates + dead letters";
  }

  public long delivered(Conservation c) {
    return get(c.deliveredCounter());
  }

  @Override
  public String toString() {
    return counters.toString();
  }
}
