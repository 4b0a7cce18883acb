package dev.meshflow.io.kafka;

import dev.meshflow.io.BacklogProbe;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer group's lag on its topics: end offsets less committed offsets (a partition with no
 * commit counts from its start). Commits follow the runner's checkpoints, so on Flink the figure
 * falls in steps at each checkpoint and rises between them. On the Direct runner, which commits
 * only when the run has finished, the group's read positions in this JVM stand in for commits.
 */
final class KafkaBacklog implements BacklogProbe {
  private static final int TIMEOUT_MILLIS = 3_000;
  private final String bootstrap;
  private final List<String> topics;
  private final String group;
  private final String positions;
  private final Admin admin;

  KafkaBacklog(String bootstrap, List<String> topics, String group) {
    this.bootstrap = bootstrap;
    this.positions = ReadPositions.key(bootstrap, group);
    this.topics = List.copyOf(topics);
    this.group = group;
    this.admin = KafkaReachability.admin(bootstrap, TIMEOUT_MILLIS);
  }

  @Override
  public String service() {
    return "Kafka at " + bootstrap;
  }

  @Override
  public long waiting() {
    try {
      Map<TopicPartition, Long> committed = GroupOffsets.committed(admin, group, TIMEOUT_MILLIS);
      Map<TopicPartition, Long> read = ReadPositions.of(positions);
      long waiting = 0;
      for (Map.Entry<TopicPartition, Long> end
          : KafkaReachability.endOffsets(admin, topics, TIMEOUT_MILLIS).entrySet()) {
        long done = Math.max(committed.getOrDefault(end.getKey(), 0L), read.getOrDefault(end.getKey(), 0L));
        waiting += Math.max(0, end.getValue() - done);
      }
      return waiting;
    } catch (TimeoutException | ExecutionException e) {
      throw new IllegalStateException(service() + " did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(1));
  }
}
