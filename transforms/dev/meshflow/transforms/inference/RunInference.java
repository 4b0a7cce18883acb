package dev.meshflow.transforms.inference;

import dev.meshflow.core.DeadLetter;
import java.util.Objects;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Local batched inference for Beam Java, after Beam Python's RunInference: each input becomes a
 * {@link PredictionResult} naming the model that made it.
 *
 * <ul>
 *   <li>Batching follows the handler's {@link BatchBounds}, and batches never cross windows. Without
 *       a waiting limit, batches form within bundles and their size adapts to measured latency
 *       ({@link BatchSizeEstimator}). With one, on an endless input, a batch is emitted at the
 *       maximum size or when its first element has waited that long, whichever comes first.
 *   <li>A model is loaded once per worker JVM and shared across threads ({@link SharedModels}).
 *   <li>{@link #watching} takes the model from a singleton side input, so a new, uniquely named
 *       model is picked up while the pipeline runs; each element is inferred exactly once, by
 *       whichever model was current when its batch ran.
 *   <li>A failed batch becomes one dead letter per input ({@link #failures()}) with the error.
 * </ul>
 */
public final class RunInference<I, O> extends PTransform<PCollection<I>, PCollectionTuple> {
  public static final String STAGE = "inference";

  private final TupleTag<PredictionResult<I, O>> predictions = new TupleTag<>() {};
  private final TupleTag<DeadLetter> failures = new TupleTag<>() {};
  private final ModelHandler<I, O, ?> handler;
  private final ModelRef fixed;
  private final PCollectionView<ModelRef> watched;
  private final int shards;

  private RunInference(ModelHandler<I, O, ?> handler, ModelRef fixed, PCollectionView<ModelRef> watched,
      int shards) {
    this.handler = Objects.requireNonNull(handler);
    this.fixed = fixed;
    this.watched = watched;
    this.shards = shards;
  }

  /** Inference with one model for the whole run. */
  public static <I, O> RunInference<I, O> of(ModelHandler<I, O, ?> handler, ModelRef model) {
    return new RunInference<>(handler, Objects.requireNonNull(model, "model"), null, 4);
  }

  /**
   * Inference with whatever model {@code models} currently holds (model hot swap), and with {@code
   * initial} until the side input first holds one, as Beam Python requires a model at start.
   */
  public static <I, O> RunInference<I, O> watching(ModelHandler<I, O, ?> handler, ModelRef initial,
      PCollectionView<ModelRef> models) {
    return new RunInference<>(handler, Objects.requireNonNull(initial, "initial model"),
        Objects.requireNonNull(models, "models"), 4);
  }

  /** How many keys the streaming batcher spreads elements over (its parallelism); default 4. */
  public RunInference<I, O> withShards(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1, got " + shards);
    }
    return new RunInference<>(handler, fixed, watched, shards);
  }

  public TupleTag<PredictionResult<I, O>> predictions() {
    return predictions;
  }

  public TupleTag<DeadLetter> failures() {
    return failures;
  }

  @Override
  public PCollectionTuple expand(PCollection<I> input) {
    return expandWith(handler, input);
  }

  private <M> PCollectionTuple expandWith(ModelHandler<I, O, M> h, PCollection<I> input) {
    BatchRunner<I, I, O, M, PredictionResult<I, O>> runner =
        new BatchRunner<>(h, new Unkeyed<>(), predictions, failures, STAGE);
    return InferenceSteps.apply(input, runner, h.bounds(), shards, fixed, watched, predictions, failures,
        PredictionResultCoder.of(input.getCoder(), h.outputCoder()));
  }

  private static final class Unkeyed<I, O> implements Route<I, I, O, PredictionResult<I, O>> {
    @Override
    public String group(I element) {
      return "";
    }

    @Override
    public I input(I element) {
      return element;
    }

    @Override
    public PredictionResult<I, O> result(I element, O inference, String modelId) {
      return new PredictionResult<>(element, inference, modelId);
    }

    @Override
    public ModelRef model(String group, ModelRef model) {
      return model == null || model.isNone() ? null : model;
    }
  }
}
