package dev.meshflow.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.joda.time.Duration;

/**
 * Work that must wait until a run has finished, that is until every sink has written all it will:
 * on a runner without checkpoints (Direct), a Kafka read commits its group's offsets only then,
 * since the runner finalizes a reader's checkpoint as soon as the records are handed downstream,
 * long before they reach a table.
 *
 * <p>An IO registers its action while the pipeline is built; the pipeline is started with {@link
 * #start(Pipeline)}, whose result runs the actions once, in this JVM, when a wait for it ends in
 * DONE. A failed, cancelled or killed run runs none, so a restart reads again from the last
 * finished run's commit, and the idempotent sinks make what it reads twice harmless.
 */
public final class AfterRun {
  private static final Map<Pipeline, List<Supplier<String>>> PENDING =
      Collections.synchronizedMap(new WeakHashMap<>());

  private AfterRun() {}

  /** @param action runs after the pipeline finished; returns a line for the run's summary, or null */
  public static void register(Pipeline pipeline, Supplier<String> action) {
    PENDING.computeIfAbsent(pipeline, p -> Collections.synchronizedList(new ArrayList<>())).add(action);
  }

  /** Runs the pipeline; its result runs the registered actions once it is seen to be DONE. */
  public static PipelineResult start(Pipeline pipeline) {
    PipelineResult result = pipeline.run();
    List<Supplier<String>> actions = PENDING.remove(pipeline);
    return actions == null ? result : new Finishing(result, actions);
  }

  /** The lines the actions of a finished run returned, for its summary; empty for any other. */
  public static List<String> reports(PipelineResult result) {
    return result instanceof Finishing ? ((Finishing) result).reports() : List.of();
  }

  private static final class Finishing implements PipelineResult {
    private final PipelineResult run;
    private final List<Supplier<String>> actions;
    private List<String> reports;

    Finishing(PipelineResult run, List<Supplier<String>> actions) {
      this.run = run;
      this.actions = List.copyOf(actions);
    }

    @Override
    public State getState() {
      return run.getState();
    }

    @Override
    public State cancel() throws IOException {
      return run.cancel();
    }

    @Override
    public State waitUntilFinish(Duration duration) {
      return afterFinish(run.waitUntilFinish(duration));
    }

    @Override
    public State waitUntilFinish() {
      return afterFinish(run.waitUntilFinish());
    }

    @Override
    public MetricResults metrics() {
      return run.metrics();
    }

    private synchronized State afterFinish(State state) {
      if (state == State.DONE && reports == null) {
        List<String> lines = new ArrayList<>();
        for (Supplier<String> action : actions) {
          String line = action.get();
          if (line != null) {
            lines.add(line);
          }
        }
        reports = List.copyOf(lines);
      }
      return state;
    }

    synchronized List<String> reports() {
      return reports == null ? List.of() : reports;
    }
  }
}
