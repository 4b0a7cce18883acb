package dev.meshflow.transforms.inference;

import java.io.Serializable;

/**
 * How one element type flows through inference: which model group it belongs to, what the model
 * sees, and what comes out. The plain and the keyed RunInference differ only here.
 */
interface Route<E, I, O, R> extends Serializable {
  /** Elements of different groups never share a batch. */
  String group(E element);

  I input(E element);

  R result(E element, O inference, String modelId);

  /**
   * The model for a group, given the watched model (null when none is watched); null when the
   * group has none, which makes the batch dead letters.
   */
  ModelRef model(String group, ModelRef watched);
}
