package dev.meshflow.transforms.inference;

import java.io.Serializable;
import org.joda.time.Duration;

/**
 * How {@link RunInference} may batch, after Beam Python's {@code batch_elements_kwargs}: batch
 * sizes stay within [min, max], an adaptive estimator aims each batch at {@code targetBatchMillis}
 * of inference time, and, when {@code maxBuffering} is set on an endless input, no element waits
 * longer than that for its batch to fill.
 */
public final class BatchBounds implements Serializable {
  private final int minSize;
  private final int maxSize;
  private final Duration maxBuffering;
  private final long targetBatchMillis;

  private BatchBounds(int minSize, int maxSize, Duration maxBuffering, long targetBatchMillis) {
    if (minSize < 1 || maxSize < minSize) {
      throw new IllegalArgumentException(
          "batch bounds need 1 <= min <= max, got min " + minSize + ", max " + maxSize);
    }
    if (maxBuffering != null && maxBuffering.getMillis() <= 0) {
      throw new IllegalArgumentException("the maximum buffering time must be positive, got " + maxBuffering);
    }
    if (targetBatchMillis <= 0) {
      throw new IllegalArgumentException("the target batch time must be positive, got " + targetBatchMillis);
    }
    this.minSize = minSize;
    this.maxSize = maxSize;
    this.maxBuffering = maxBuffering;
    this.targetBatchMillis = targetBatchMillis;
  }

  /** Python's defaults: 1 to 10,000 elements, no buffering limit, batches of about a second. */
  public static BatchBounds defaults() {
    return new BatchBounds(1, 10_000, null, 1_000);
  }

  public static BatchBounds of(int minSize, int maxSize) {
    return new BatchBounds(minSize, maxSize, null, 1_000);
  }

  public BatchBounds withMaxBuffering(Duration maxBuffering) {
    return new BatchBounds(minSize, maxSize, maxBuffering, targetBatchMillis);
  }

  public BatchBounds withTargetBatchMillis(long millis) {
    return new BatchBounds(minSize, maxSize, maxBuffering, millis);
  }

  /** A fixed batch size (min = max), as a per-element baseline or a model that needs one size. */
  public static BatchBounds fixed(int size) {
    return new BatchBounds(size, size, null, 1_000);
  }

  public int minSize() {
    return minSize;
  }

  public int maxSize() {
    return maxSize;
  }

  /** Null: batches only within a bundle (no waiting across bundles, no shuffle). */
  public Duration maxBuffering() {
    return maxBuffering;
  }

  public long targetBatchMillis() {
    return targetBatchMillis;
  }

  @Override
  public String toString() {
    return "batches of " + minSize + ".." + maxSize
        + (maxBuffering == null ? "" : ", waiting at most " + maxBuffering.getMillis() + " ms")
        + ", aiming at " + targetBatchMillis + " ms each";
  }
}
