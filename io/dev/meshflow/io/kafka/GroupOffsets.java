package dev.meshflow.io.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** A consumer group's committed offsets: asked for, and committed after a run without checkpoints. */
final class GroupOffsets {
  private static final int TIMEOUT_MILLIS = 10_000;

  private GroupOffsets() {}

  /** The group's committed offset per partition; a partition without a commit is absent. */
  static Map<TopicPartition, Long> committed(Admin admin, String group, int millis)
      throws TimeoutException, ExecutionException, InterruptedException {
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
        .get(millis, TimeUnit.MILLISECONDS)
        .forEach((tp, o) -> {
          if (o != null) {
            out.put(tp, o.offset());
          }
        });
    return out;
  }

  /**
   * Commits {@code positions} for the group where they are ahead of what it has committed (a replay
   * from earliest does not move a group back), and says so in a line for the summary. A broker that
   * does not answer is said too, not thrown: the run's results are written, and a rerun reads the
   * uncommitted records again into the same rows.
   */
  static String commit(String bootstrap, String group, Map<TopicPartition, Long> positions) {
    if (positions.isEmpty()) {
      return null;
    }
    try (Admin admin = KafkaReachability.admin(bootstrap, TIMEOUT_MILLIS)) {
      Map<TopicPartition, Long> before = committed(admin, group, TIMEOUT_MILLIS);
      Map<TopicPartition, OffsetAndMetadata> ahead = new HashMap<>();
      positions.forEach((tp, next) -> {
        if (next > before.getOrDefault(tp, -1L)) {
          ahead.put(tp, new OffsetAndMetadata(next));
        }
      });
      if (!ahead.isEmpty()) {
        admin.alterConsumerGroupOffsets(group, ahead).all().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      }
      return "Kafka group " + group + ": offsets of " + ahead.size() + " partition(s) committed"
          + " once every sink had written (the Direct runner has no checkpoints)";
    } catch (TimeoutException | ExecutionException e) {
      return "Kafka group " + group + ": offsets NOT committed, Kafka at " + bootstrap
          + " did not answer; a rerun reads this run's records again into the same rows";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "Kafka group " + group + ": offsets not committed (interrupted)";
    }
  }
}
