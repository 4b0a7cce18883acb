package dev.meshflow.transforms.skips;

/**
 * The state key of a user in the skip steps: users share 64 buckets. A key per user means a bundle
 * per user wherever keyed results are emitted, and the Direct runner copies a downstream group's
 * state once per bundle (a key per user made the batch loop test take over fifteen minutes).
 */
final class UserBuckets {
  private static final int BUCKETS = 64;

  private UserBuckets() {}

  static String of(String userId) {
    return Integer.toString(Math.floorMod(userId.hashCode(), BUCKETS));
  }
}
