package dev.meshflow.transforms.skips;

/**
 * The state key of a user or an item in the skip steps: ids share 64 buckets. A key per id means a
 * bundle per id wherever keyed results are emitted, and the Direct runner copies a downstream
 * group's state once per bundle (a key per user made the batch loop test take over fifteen minutes).
 */
final class StateBuckets {
  private static final int BUCKETS = 64;

  private StateBuckets() {}

  static String of(String id) {
    return Integer.toString(Math.floorMod(id.hashCode(), BUCKETS));
  }
}
