package dev.meshflow.transforms.inference;

import java.util.Objects;

/** One input, what the model inferred from it, and which model did: Beam Python's PredictionResult. */
public final class PredictionResult<I, O> {
  private final I example;
  private final O inference;
  private final String modelId;

  public PredictionResult(I example, O inference, String modelId) {
    this.example = example;
    this.inference = inference;
    this.modelId = Objects.requireNonNull(modelId);
  }

  public I example() {
    return example;
  }

  public O inference() {
    return inference;
  }

  public String modelId() {
    return modelId;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PredictionResult)) {
      return false;
    }
    PredictionResult<?, ?> p = (PredictionResult<?, ?>) o;
    return Objects.deepEquals(example, p.example) && Objects.deepEquals(inference, p.inference)
        && modelId.equals(p.modelId);
  }

  @Override
  public int hashCode() {
    return modelId.hashCode();
  }

  @Override
  public String toString() {
    return "PredictionResult{" + example + " -> " + inference + " by " + modelId + "}";
  }
}
