package dev.meshflow.pipelines;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import java.util.Map;

/**
 * A pipeline's options read once, as dbeam's {@code Args} are: every value parsed and every
 * cross-option check made, in an immutable record. The graph is built from it alone, and the
 * launcher learns from it what the run reads and writes.
 */
public interface RunSpec {
  /** The warehouse the run writes: named in the summary, closed by the launcher after the run. */
  TableSink sink();

  /**
   * The stream or files the run reads, for the launcher's checks before a local run (is the
   * broker up, how many readers) and its consumer lag; null where it reads none of its own.
   */
  default RecordSource input() {
    return null;
  }

  /** Streams or files the run reads besides {@link #input()}, for its lineage and summary. */
  default java.util.List<RecordSource> otherInputs() {
    return java.util.List.of();
  }

  /** What the summary names as the run's input. */
  default String describeInput() {
    RecordSource in = input();
    return in == null ? "" : in.describe();
  }

  /** How the run accounts for every record read. */
  default Conservation conservation() {
    return Conservation.aggregated();
  }

  /** What the run writes besides tables (a model directory), label to place, for the summary. */
  default Map<String, String> fileOutputs() {
    return Map.of();
  }
}
