package dev.meshflow.pipelines;

import dev.meshflow.options.RunMetrics;

/**
 * How a pipeline accounts for every record it read: read = delivered + filtered + duplicates +
 * dead letters. What "delivered" means differs: events counted into an aggregate, or rows landed
 * in the main table. Where the main table is an aggregate, a refused aggregate row is not a record
 * and stays out of the sum.
 */
public final class Conservation {
  final String deliveredCounter;
  final String deliveredLabel;
  final boolean sinkRefusalsAreRecords;

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
}
