package dev.meshflow.testing;

import dev.meshflow.launcher.RunCounts;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;

/** What a running job has written so far, for awaiting a live run's tables. */
public final class JobProgress {
  private JobProgress() {}

  /** The rows of {@code sql} (none before the table exists); throws if the job has failed. */
  public static List<String> rows(PipelineResult job, Tables tables, String sql) throws Exception {
    // Not getState(): on the Direct runner that records the failure, and the error is then lost.
    PipelineResult.State state = job.waitUntilFinish(org.joda.time.Duration.millis(1)); // throws if it failed
    List<String> rows;
    try {
      rows = tables.dump(sql);
    } catch (java.sql.SQLException noTableYet) {
      rows = List.of();
    }
    return new ArrayList<>(rows) {
      @Override
      public String toString() {
        return super.toString() + " (job " + state + ", counters " + RunCounts.of(job) + ")";
      }
    };
  }
}
