package dev.meshflow.pipelines;

import dev.meshflow.core.RunMetrics;

/**
 * How a pipeline accounts for every record it read: read = delivered + filtered + duplicates +
 * dead letters. What "delivered" means differs: events counted into an aggregate, or rows landed
 * in the main table. Where the main table is an aggregate, a refused aggregate row is not a record
 * and stays out of the sum.
 */
public final class Conservation {
  private final String deliveredCounter;
  private final String deliveredLabel;
  private final boolean sinkRefusalsAreRecords;

  private Conservation(String deliveredCounter, String deliveredLabel, boolean sinkRefusalsAreRecords) {
    this.deliveredCounter = deliveredCounter;
    this.deliveredLabel = deliveredLabel;
    this.sinkRefusalsAreRecords = sinkRefusalsAreRecords;
  }

  /** Valid unique events feed an aggregate. */
  public static Conservation aggregated() {
    return new Conservation(RunMetrics.VALID, "valid", false);
  }

  /** Each delivered record is one row of {@code table}. */
  public static Conservation rowsOf(String table) {
    return new Conservation(RunMetrics.rowsWritten(table), "rows in " + table, true);
  }

  /** The counter of delivered records. */
  public String deliveredCounter() {
    return deliveredCounter;
  }

  /** What the summary calls the delivered records. */
  public String deliveredLabel() {
    return deliveredLabel;
  }

  /** Whether a row the warehouse refused is a record of its own (not part of an aggregate). */
  public boolean sinkRefusalsAreRecords() {
    return sinkRefusalsAreRecords;
  }
}
