package dev.meshflow.io.generator;

import java.util.SplittableRandom;

/** The random stream of one record: a SplitMix64 hash of (seed, index), so records are independent. */
final class SeededRandom {
  private SeededRandom() {}

  static SplittableRandom of(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new SplittableRandom(z ^ (z >>> 31));
  }
}
