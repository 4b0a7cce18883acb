package dev.meshflow.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The one line a failed run prints. Runners wrap the real error in exceptions of their own whose
 * message only repeats the cause; the line skips those and names the first error that says
 * something of its own (often the one with context, like which host refused), then the root cause
 * if it adds anything.
 */
public final class FailureMessage {
  /** Exceptions that only carry another one across a thread or runner boundary. */
  private static final Set<String> WRAPPERS = Set.of(
      "org.apache.beam.sdk.Pipeline$PipelineExecutionException",
      "org.apache.beam.sdk.util.UserCodeException",
      "java.util.concurrent.ExecutionException",
      "java.util.concurrent.CompletionException",
      "java.lang.reflect.InvocationTargetException",
      "org.apache.flink.runtime.client.JobExecutionException",
      "org.apache.flink.runtime.JobException",
      // Its message repeats the failed task's exception, stack trace included.
      "org.apache.spark.SparkException");

  private FailureMessage() {}

  public static String of(Throwable error) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = error; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    Throwable root = chain.get(chain.size() - 1);
    Throwable first = root;
    for (Throwable t : chain) {
      if (!isWrapper(t)) {
        first = t;
        break;
      }
    }
    String line = describe(first);
    if (root != first && root.getMessage() != null && !line.contains(firstLine(root.getMessage()))) {
      line += " (cause: " + describe(root) + ")";
    }
    return line + hint(root);
  }

  private static boolean isWrapper(Throwable t) {
    Throwable cause = t.getCause();
    if (cause == null) {
      return false;
    }
    String m = t.getMessage();
    return WRAPPERS.contains(t.getClass().getName()) || m == null || m.equals(cause.toString())
        || m.equals(cause.getMessage());
  }

  /**
   * Our own exceptions' messages stand alone; others are named by their class. Only the first line
   * of a message: DuckDB, for one, adds the statement and a caret below it.
   */
  private static String describe(Throwable t) {
    String message = t.getMessage() == null ? null : firstLine(t.getMessage());
    boolean ours = t instanceof IllegalStateException || t instanceof IllegalArgumentException;
    return ours && message != null ? message : t.getClass().getSimpleName() + ": " + message;
  }

  private static String firstLine(String message) {
    return message.strip().split("\n", 2)[0];
  }

  private static String hint(Throwable root) {
    if (root.getClass().getName().equals("org.apache.kafka.common.errors.TimeoutException")) {
      return "; is the Kafka broker in the URI running, and reachable from here?";
    }
    return "";
  }
}
