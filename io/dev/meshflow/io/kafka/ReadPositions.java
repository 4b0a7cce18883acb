package dev.meshflow.io.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group's reads of this JVM have got: per partition, the offset after the last
 * record handed downstream. Kept where the runner runs the readers in the launcher's JVM and has
 * no checkpoints (Direct), so that the offsets can be committed once the run has finished and the
 * progress line can show the group's lag while it runs.
 */
final class ReadPositions {
  private static final Map<String, Map<TopicPartition, Long>> BY_GROUP = new ConcurrentHashMap<>();

  private ReadPositions() {}

  static String key(String bootstrap, String group) {
    return group + "@" + bootstrap;
  }

  /** Starts the positions of a new read afresh. */
  static void open(String key) {
    BY_GROUP.put(key, new ConcurrentHashMap<>());
  }

  static void advance(String key, String topic, int partition, long offset) {
    Map<TopicPartition, Long> positions = BY_GROUP.get(key);
    if (positions != null) {
      positions.merge(new TopicPartition(topic, partition), offset + 1, Math::max);
    }
  }

  /** The positions so far; empty where this JVM has none for the group. */
  static Map<TopicPartition, Long> of(String key) {
    Map<TopicPartition, Long> positions = BY_GROUP.get(key);
    return positions == null ? Map.of() : Map.copyOf(positions);
  }

  /** The positions, forgotten: each is committed once. */
  static Map<TopicPartition, Long> take(String key) {
    Map<TopicPartition, Long> positions = BY_GROUP.remove(key);
    return positions == null ? Map.of() : Map.copyOf(positions);
  }
}
