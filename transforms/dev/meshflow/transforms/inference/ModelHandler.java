package dev.meshflow.transforms.inference;

import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * What {@link RunInference} needs to know about a kind of model, after Beam Python's ModelHandler:
 * how to load one, how to run it on a batch, how to batch, and where to report metrics.
 *
 * <p>A loaded model is shared by every thread of a worker JVM ({@link SharedModels}), so {@link
 * #infer} must be safe to call concurrently on one model.
 *
 * @param <I> one input example
 * @param <O> what the model infers for one example
 * @param <M> the loaded model
 */
public interface ModelHandler<I, O, M> extends Serializable {
  /** Loads the model {@code ref} names. Called once per worker JVM and model id. */
  M load(ModelRef ref) throws Exception;

  /** Runs the model on a batch: exactly one output per input, in input order. */
  List<O> infer(List<I> batch, M model) throws Exception;

  Coder<O> outputCoder();

  default BatchBounds bounds() {
    return BatchBounds.defaults();
  }

  /** The namespace of this handler's metrics, so two inference steps report apart. */
  default String metricsNamespace() {
    return "RunInference";
  }

  /** Frees a model no longer cached (an ONNX session holds native memory). */
  default void release(M model) throws Exception {
    if (model instanceof AutoCloseable) {
      ((AutoCloseable) model).close();
    }
  }

  /** An input as text, for a dead letter when its batch fails. */
  default String describe(I input) {
    return String.valueOf(input);
  }

  /**
   * Handlers with equal keys load the same ref into the same model, so they may share it. The
   * default, the class name, is right when the ref alone determines the model.
   */
  default String cacheKey() {
    return getClass().getName();
  }

  /** The same handler with other batch bounds. */
  default ModelHandler<I, O, M> withBounds(BatchBounds bounds) {
    return new Handlers.Bounded<>(this, bounds);
  }

  /** A pre-processing hook: inputs of type A are turned into model inputs first. */
  default <A> ModelHandler<A, O, M> withPreprocess(SerializableFunction<A, I> preprocess) {
    return new Handlers.Preprocessed<>(this, preprocess);
  }

  /** A post-processing hook: each inference is turned into a P. */
  default <P> ModelHandler<I, P, M> withPostprocess(SerializableFunction<O, P> postprocess, Coder<P> coder) {
    return new Handlers.Postprocessed<>(this, postprocess, coder);
  }
}
