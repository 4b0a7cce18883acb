package dev.meshflow.io.kafka;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;

/**
 * Asks the brokers for their cluster id before a local run. Without it, a broker that is down
 * shows as a run reading nothing for a minute, until KafkaIO's metadata request times out.
 */
final class KafkaReachability {
  private KafkaReachability() {}

  /** @throws IllegalStateException naming {@code bootstrap} if no broker answers within {@code timeout} */
  static void require(String option, String bootstrap, Duration timeout) {
    if (refusedEverywhere(bootstrap)) {
      // Nothing listens there: say so at once rather than retry for the whole timeout.
      throw new IllegalStateException(option + ": nothing listens at " + bootstrap
          + " (connection refused); is the Kafka broker running? (runners-config/local/services.sh"
          + " start kafka starts one on 127.0.0.1:9092)");
    }
    int millis = (int) timeout.getMillis();
    try (Admin admin = admin(bootstrap, millis)) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis))
          .clusterId().get(millis + 1_000L, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Without the cause: Kafka's own words ("Timed out waiting for a node assignment") add nothing.
      throw new IllegalStateException(option + ": no Kafka broker answered at " + bootstrap
          + " within " + timeout.getStandardSeconds() + " s; is it running, and reachable from"
          + " here? (runners-config/local/services.sh start kafka starts one on 127.0.0.1:9092)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reaching Kafka at " + bootstrap, e);
    }
  }

  /**
   * Whether every bootstrap address refused a connection: a definite "no broker here". A timeout
   * or an unknown host is not, and is left to the cluster-id request and its timeout.
   */
  private static boolean refusedEverywhere(String bootstrap) {
    for (String address : bootstrap.split(",")) {
      int colon = address.lastIndexOf(':');
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(address.substring(0, colon),
            Integer.parseInt(address.substring(colon + 1))), 2_000);
        return false;
      } catch (ConnectException refused) {
        // this one is down; try the next
      } catch (IOException | RuntimeException other) {
        return false;
      }
    }
    return true;
  }

  /** The topics' partitions in all, or 0 if a topic does not exist yet or no broker says. */
  static int partitions(String bootstrap, List<String> topics, Duration timeout) {
    int millis = (int) timeout.getMillis();
    try (Admin admin = admin(bootstrap, millis)) {
      return admin.describeTopics(topics).allTopicNames().get(millis + 1_000L, TimeUnit.MILLISECONDS)
          .values().stream().mapToInt(t -> t.partitions().size()).sum();
    } catch (TimeoutException | ExecutionException e) {
      return 0; // the run itself reports what is wrong
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * The end offset of each partition of the topics ("topic/partition" to the offset the next record
   * will get), for a read that stops once it has caught up.
   *
   * @throws IllegalStateException naming {@code bootstrap} if the brokers do not say within {@code timeout}
   */
  static Map<String, Long> endOffsets(String bootstrap, List<String> topics, Duration timeout) {
    int millis = (int) timeout.getMillis();
    try (Admin admin = admin(bootstrap, millis)) {
      Map<String, Long> ends = new HashMap<>();
      endOffsets(admin, topics, millis).forEach((tp, offset) -> ends.put(tp.topic() + "/" + tp.partition(), offset));
      return ends;
    } catch (TimeoutException | ExecutionException e) {
      throw new IllegalStateException("until=caughtUp: cannot ask Kafka at " + bootstrap
          + " where topics " + String.join(",", topics) + " end: " + rootMessage(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking Kafka at " + bootstrap, e);
    }
  }

  /** The offset the next record of each partition of the topics will get, asked through {@code admin}. */
  static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics, int millis)
      throws TimeoutException, ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicDescription t : admin.describeTopics(topics).allTopicNames()
        .get(millis + 1_000L, TimeUnit.MILLISECONDS).values()) {
      t.partitions().forEach(p -> latest.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest()));
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get(millis + 1_000L, TimeUnit.MILLISECONDS)
        .forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  static Admin admin(String bootstrap, int timeoutMillis) {
    return Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis));
  }
}
