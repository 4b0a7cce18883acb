package dev.meshflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.sql.SQLException;
import org.apache.beam.sdk.Pipeline;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/**
 * The failed-run line for the ways runners wrap errors (the PostgreSQL case runs for real in
 * CommandLineTest): one line, the error with its own message first, the root cause after it when
 * it adds something.
 */
public class FailureMessageTest {
  @Test
  public void aMultiLineDatabaseErrorUnderTheRunnersWrapperBecomesItsFirstLine() {
    SQLException duckDb = new SQLException("Conversion Error: Could not convert string 'abc' to INT32\n\n"
        + "LINE 1: INSERT INTO t SELECT 'a', 'abc'\n                                  ^");
    Throwable wrapped = new Pipeline.PipelineExecutionException(duckDb);
    assertEquals("SQLException: Conversion Error: Could not convert string 'abc' to INT32",
        FailureMessage.of(wrapped));
  }

  @Test
  public void sparksStageFailureIsSkippedForTheTasksOwnError() {
    IOException task = new IOException("cannot read /landing/a.jsonl.gz after line 12 (EOFException)");
    SparkException stage = new SparkException("Job aborted due to stage failure: Task 0 in stage 1.0"
        + " failed 1 times, most recent failure: Lost task 0.0: " + task + "\n\tat dev.meshflow.X.y(X.java:1)", task);
    assertEquals("IOException: cannot read /landing/a.jsonl.gz after line 12 (EOFException)",
        FailureMessage.of(new Pipeline.PipelineExecutionException(stage)));
  }

  @Test
  public void ourOwnMessageLeadsAndADifferentRootCauseFollows() {
    Throwable ours = new IllegalStateException("cannot close DuckDB database warehouse/x.duckdb",
        new SQLException("IO Error: Could not set lock on file"));
    assertEquals("cannot close DuckDB database warehouse/x.duckdb (cause: SQLException: IO Error: Could"
        + " not set lock on file)", FailureMessage.of(ours));
  }
}
