package dev.meshflow.transforms.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The adaptive batch size against a known cost model: 5 ms per batch plus 0.01 ms per element. */
public class BatchSizeEstimatorTest {
  private static double cost(int size) {
    return 5 + 0.01 * size;
  }

  @Test
  public void growsAtMostTwofoldAStepAndSettlesNearTheTarget() {
    BatchSizeEstimator estimator = new BatchSizeEstimator(BatchBounds.of(1, 100_000).withTargetBatchMillis(100));
    int last = 0;
    int size = 0;
    for (int step = 0; step < 60; step++) {
      size = estimator.nextSize();
      assertTrue(last == 0 || size <= 2 * last, "step " + step + ": " + last + " -> " + size);
      estimator.record(size, cost(size));
      last = size;
    }
    // (100 ms - 5 ms) / 0.01 ms = 9,500 elements; jitter keeps sizes within 25 % of it.
    assertTrue(size >= 7_000 && size <= 12_000, "settled at " + size);
  }

  @Test
  public void staysWithinBoundsAndAFixedSizeIsFixed() {
    BatchSizeEstimator bounded = new BatchSizeEstimator(BatchBounds.of(16, 64).withTargetBatchMillis(100));
    for (int step = 0; step < 30; step++) {
      int size = bounded.nextSize();
      assertTrue(size >= 16 && size <= 64);
      bounded.record(size, cost(size));
    }
    BatchSizeEstimator fixed = new BatchSizeEstimator(BatchBounds.fixed(1));
    fixed.record(1, 50);
    assertEquals(1, fixed.nextSize());
  }

  @Test
  public void aSlowModelGetsSmallBatches() {
    // 2 ms per element: a 100 ms target allows about 50.
    BatchSizeEstimator estimator = new BatchSizeEstimator(BatchBounds.of(1, 10_000).withTargetBatchMillis(100));
    int size = 0;
    for (int step = 0; step < 40; step++) {
      size = estimator.nextSize();
      estimator.record(size, 2.0 * size);
    }
    assertTrue(size >= 35 && size <= 65, "settled at " + size);
  }
}
