package dev.meshflow.transforms.inference;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Where a batch's model comes from: a fixed model, or a watched side input with the model the job
 * started with as its fallback. One per DoFn instance (it remembers the last model it saw).
 */
final class ModelSource implements Serializable {
  private final ModelRef fixed;
  private final PCollectionView<ModelRef> watched;
  private transient ModelRef lastWatched;

  ModelSource(ModelRef fixed, PCollectionView<ModelRef> watched) {
    this.fixed = fixed;
    this.watched = watched;
  }

  /**
   * The watched model; while the side input shows none (before its first listing reaches this
   * worker, or in an empty pane), the last one seen, else the model the job started with.
   */
  <I, O> ModelRef current(DoFn<I, O>.ProcessContext c) {
    if (watched == null) {
      return fixed;
    }
    ModelRef now = c.sideInput(watched);
    if (!now.isNone()) {
      lastWatched = now;
    }
    return lastWatched != null ? lastWatched : fixed;
  }
}
