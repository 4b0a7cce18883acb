package dev.meshflow.transforms.deadletter;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.core.Traceable;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.TupleTag;

/**
 * A per-record step after parsing that dead-letters a record it throws on (stage {@link
 * Stages#TRANSFORM}, the step and the error as the reason, the record's origin and original bytes)
 * instead of failing its bundle. A runner retries a failed bundle, and Flink restarts the job from
 * its last checkpoint, so one record that always throws would fail every attempt: a restart loop,
 * then a failed job, and nothing after that record written.
 *
 * <p>The payload is the record's original bytes where parsing kept them (streaming, and wherever a
 * later step may dead-letter); a batch parse sheds them before its shuffles, and the dead letter's
 * origin (file and line, topic and offset) then points to the record.
 *
 * <p>Only the step's own work is guarded, never the output call: on a runner that fuses steps,
 * {@code output} runs the steps downstream, whose failures are theirs to report.
 */
public final class GuardedFn<I extends Traceable, O> extends DoFn<I, O> {
  private final String step;
  private final SerializableFunction<I, O> work;
  private final TupleTag<DeadLetter> deadLetters;
  private final RunMetrics.StageCounter failures = counter();

  /**
   * @param step the step's name, as the dead letter's reason gives it
   * @param deadLetters the tag the dead letters go to; the main output is the ParDo's first tag
   */
  public GuardedFn(String step, SerializableFunction<I, O> work, TupleTag<DeadLetter> deadLetters) {
    this.step = step;
    this.work = work;
    this.deadLetters = deadLetters;
  }

  /** The counter of records a step threw on, for steps that guard their own work. */
  public static RunMetrics.StageCounter counter() {
    return RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.TRANSFORM);
  }

  /** The dead letter of a record that {@code step} threw {@code error} on. */
  public static DeadLetter deadLetter(String step, Traceable record, RuntimeException error) {
    String message = error.getMessage();
    if (message != null && message.length() > 300) {
      message = message.substring(0, 300) + "...";
    }
    return new DeadLetter(Stages.TRANSFORM, step + " threw " + error.getClass().getSimpleName()
        + (message == null ? "" : ": " + message), record.origin(), record.payload(),
        record.timestampMillis(), System.currentTimeMillis());
  }

  @ProcessElement
  public void process(ProcessContext c) {
    O result;
    try {
      result = work.apply(c.element());
    } catch (RuntimeException e) {
      failures.inc();
      c.output(deadLetters, deadLetter(step, c.element(), e));
      return;
    }
    c.output(result);
  }
}
