package dev.meshflow.transforms.inference;

import dev.meshflow.core.DeadLetter;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Runs batches through a shared model: times them (feeding the size estimator), emits one result
 * per element at the element's own timestamp and window, and turns a failed batch into one dead
 * letter per input. Shared by the bundle and the stateful batching paths.
 */
final class BatchRunner<E, I, O, M, R> implements Serializable {
  /** Where results go: the DoFn's current context. */
  interface Emitter {
    <T> void emit(TupleTag<T> tag, T value, Instant timestamp, BoundedWindow window);
  }

  private final ModelHandler<I, O, M> handler;
  private final Route<E, I, O, R> route;
  private final TupleTag<R> results;
  private final TupleTag<DeadLetter> failures;
  private final String stage;
  private transient BatchSizeEstimator estimator;
  private transient InferenceMetrics metrics;

  BatchRunner(ModelHandler<I, O, M> handler, Route<E, I, O, R> route, TupleTag<R> results,
      TupleTag<DeadLetter> failures, String stage) {
    this.handler = handler;
    this.route = route;
    this.results = results;
    this.failures = failures;
    this.stage = stage;
  }

  void setup() {
    estimator = new BatchSizeEstimator(handler.bounds());
    metrics = new InferenceMetrics(handler.metricsNamespace());
  }

  /** How many elements the next batch should hold. */
  int nextSize() {
    return estimator.nextSize();
  }

  Route<E, I, O, R> route() {
    return route;
  }

  /** Runs {@code batch}, already sized by its maker, as one batch with the model {@code ref}. */
  void run(List<Pending<E>> batch, ModelRef ref, Emitter out) {
    List<I> inputs = new ArrayList<>(batch.size());
    for (Pending<E> p : batch) {
      inputs.add(route.input(p.element));
    }
    if (ref == null) {
      String group = route.group(batch.get(0).element);
      fail(batch, inputs, "none", group.isEmpty() ? "no model published yet"
          : "no model for key group '" + group + "'", out);
      return;
    }
    List<O> outputs;
    try (SharedModels.Lease<M> lease = SharedModels.acquire(handler, ref)) {
      if (lease.loadMillis() > 0) {
        metrics.modelLoads.inc();
        metrics.loadModelMillis.update(lease.loadMillis());
      }
      long start = System.nanoTime();
      outputs = handler.infer(inputs, lease.model());
      double millis = (System.nanoTime() - start) / 1e6;
      if (outputs == null || outputs.size() != inputs.size()) {
        throw new IllegalStateException("the model returned " + (outputs == null ? "nothing" : outputs.size()
            + " results") + " for " + inputs.size() + " inputs");
      }
      estimator.record(inputs.size(), millis);
      metrics.batchSize.update(inputs.size());
      metrics.inferenceMillis.update(Math.round(millis));
      metrics.inferences.inc(inputs.size());
    } catch (Exception e) {
      fail(batch, inputs, ref.id(), "inference with model " + ref.id() + " failed on a batch of "
          + inputs.size() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), out);
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      Pending<E> p = batch.get(i);
      out.emit(results, route.result(p.element, outputs.get(i), ref.id()), p.timestamp, p.window);
    }
  }

  private void fail(List<Pending<E>> batch, List<I> inputs, String modelId, String reason, Emitter out) {
    metrics.failedBatches.inc();
    metrics.failedInferences.inc(inputs.size());
    long now = System.currentTimeMillis();
    for (int i = 0; i < batch.size(); i++) {
      Pending<E> p = batch.get(i);
      String text = handler.describe(inputs.get(i));
      // The origin names the input itself, so each failed input is its own dead letter and a
      // replay of the same failure upserts it.
      out.emit(failures, new DeadLetter(stage, reason, "model " + modelId + ": " + text,
          text.getBytes(StandardCharsets.UTF_8),
          p.timestamp.getMillis(), now), p.timestamp, p.window);
    }
  }
}
