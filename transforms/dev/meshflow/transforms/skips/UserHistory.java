package dev.meshflow.transforms.skips;

import java.io.Serializable;

/** What the feature step remembers of a user: plays and skips so far, and the current session. */
public final class UserHistory implements Serializable {
  long plays;
  long skips;
  String session = "";
  int position;

  /** The histories of the users that share a state bucket. */
  public static final class Bucket extends java.util.HashMap<String, UserHistory> {
    UserHistory of(String userId) {
      return computeIfAbsent(userId, u -> new UserHistory());
    }
  }
}
