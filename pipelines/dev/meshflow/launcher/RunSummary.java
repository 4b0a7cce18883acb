package dev.meshflow.launcher;

import dev.meshflow.io.AfterRun;
import dev.meshflow.io.TableSink;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.RunSpec;
import java.io.PrintStream;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;

/** The closing report of a run: counts per stage, conservation, where the output went. */
public final class RunSummary {
  private RunSummary() {}

  public static void print(
      PrintStream out, MeshflowPipeline<?, ?> pipeline, RunSpec spec, PipelineOptions options,
      PipelineResult result, RunCounts c, PipelineResult.State state, double seconds) {
    String source = spec.describeInput();
    TableSink sink = spec.sink();
    Conservation conservation = spec.conservation();
    boolean conserved = c.conserved(conservation); // first: it may read the totals again
    out.println();
    out.printf("%s %s in %.1f s on %s%n", pipeline.name(),
        state == PipelineResult.State.DONE ? "finished" : "ended " + state, seconds,
        options.getRunner().getSimpleName());
    row(out, "source", source);
    row(out, "read", String.format("%,d records (%,.0f/s)", c.read(), c.read() / Math.max(seconds, 1e-3)));
    row(out, "valid", String.format("%,d unique events", c.valid()));
    row(out, "duplicates", String.format("%,d", c.duplicates()));
    if (c.filtered() > 0) {
      row(out, "filtered", String.format("%,d events of types not kept", c.filtered()));
    }
    row(out, "dead letters", String.format("%,d", c.deadLetters()) + (c.deadLettersByStage().isEmpty()
        ? "" : c.deadLettersByStage().entrySet().stream()
            .map(e -> e.getKey() + " " + String.format("%,d", e.getValue()))
            .collect(Collectors.joining(", ", " (", ")"))));
    long accounted = c.accounted(conservation);
    if (c.runnerDroppedLate() > 0) {
      row(out, "dropped late", String.format("%,d events dropped by the runner's windowing without a"
          + " dead letter (a sparse stream outran the late split)", c.runnerDroppedLate()));
    }
    row(out, "conservation", conserved
        ? String.format("read %,d = %s", c.read(), c.identity(conservation))
        : String.format("MISMATCH: read %,d but accounted %,d", c.read(), accounted));
    row(out, "written", c.rowsWritten().isEmpty() ? "nothing" : c.rowsWritten().entrySet().stream()
        .map(e -> String.format("%s %,d rows", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", ")));
    Map<String, Long> others = c.others();
    if (!others.isEmpty()) {
      row(out, "also counted", others.entrySet().stream()
          .map(e -> String.format("%s %,d", e.getKey(), e.getValue()))
          .collect(Collectors.joining(", ")));
    }
    if (c.read() == 0 && state == PipelineResult.State.DONE) {
      // Usually a glob that matches nothing yet or a topic read from its end, not an empty day.
      row(out, "note", "nothing was read from " + source + "; is that the input you meant?");
    }
    AfterRun.reports(result).forEach(line -> row(out, "offsets", line));
    spec.fileOutputs().forEach((label, place) -> row(out, label, placeOf(place)));
    if (sink != null) {
      row(out, "output", sink.describe());
      String look = sink.lookCommand(pipeline.exampleQuery());
      if (look != null) {
        row(out, "look", asInvoked(look));
      }
      String dashboard = sink.dashboardCommand();
      if (dashboard != null) {
        row(out, "dashboard", asInvoked(dashboard) + "   (then open http://127.0.0.1:" + DashboardCommand.DEFAULT_PORT
            + "/)");
      }
    }
  }

  /** A local folder as an absolute path with how many files it holds; a URL as it is. */
  static String placeOf(String place) {
    if (place.contains("://")) {
      return place;
    }
    java.io.File dir = new java.io.File(place).getAbsoluteFile();
    String[] files = dir.list();
    return dir + (files == null ? " (nothing written)" : String.format(" (%,d files)", files.length));
  }

  /** The look command as the caller can paste it, from wherever the script was run. */
  static String asInvoked(String command) {
    String script = System.getenv("MESHFLOW_COMMAND");
    return script != null && command.startsWith("./meshflow ")
        ? script + command.substring("./meshflow".length()) : command;
  }

  private static void row(PrintStream out, String label, String value) {
    out.printf("  %-13s %s%n", label, value);
  }
}
