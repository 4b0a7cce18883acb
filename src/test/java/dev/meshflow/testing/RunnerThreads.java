package dev.meshflow.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

/**
 * Where the runner's threads stand, one line each: what a test that timed out waiting on a
 * pipeline reports, since a hang on a busy CI machine cannot be rerun under a debugger.
 */
public final class RunnerThreads {
  private RunnerThreads() {}

  /** Each thread running Beam or meshflow code: its name, state and first four own frames. */
  public static String summary() {
    StringBuilder out = new StringBuilder();
    for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
      StringBuilder frames = new StringBuilder();
      int shown = 0;
      for (StackTraceElement frame : t.getStackTrace()) {
        String c = frame.getClassName();
        if (shown < 4 && (c.startsWith("org.apache.beam") || c.startsWith("dev.meshflow"))
            && !c.startsWith("dev.meshflow.testing")) {
          frames.append(" < ").append(c.substring(c.lastIndexOf('.') + 1)).append('.')
              .append(frame.getMethodName()).append(':').append(frame.getLineNumber());
          shown++;
        }
      }
      if (shown > 0) {
        out.append(t.getThreadName()).append(' ').append(t.getThreadState()).append(frames).append('\n');
      }
    }
    return out.toString();
  }
}
