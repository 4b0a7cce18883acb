package dev.meshflow.io.kafka;

import dev.meshflow.io.BacklogProbe;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer group's lag on its topics: end offsets less committed offsets (a partition with no
 * commit counts from its start). Commits follow the runner's checkpoints, so on Flink the figure
 * falls in steps at each checkpoint and rises between them.
 */
final class KafkaBacklog implements BacklogProbe {
  private static final int TIMEOUT_MILLIS = 3_000;
  private final String bootstrap;
  private final List<String> topics;
  private final String group;
  private final Admin admin;

  KafkaBacklog(String bootstrap, List<String> topics, String group) {
    this.bootstrap = bootstrap;
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
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      long waiting = 0;
      for (Map.Entry<TopicPartition, Long> end
          : KafkaReachability.endOffsets(admin, topics, TIMEOUT_MILLIS).entrySet()) {
        OffsetAndMetadata done = committed.get(end.getKey());
        waiting += Math.max(0, end.getValue() - (done == null ? 0 : done.offset()));
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
