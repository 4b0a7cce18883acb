package dev.meshflow.testing.services;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * A Kafka 3.9 cluster of {@code n} KRaft nodes, each broker and controller and a process of its own,
 * as production runs it: topics get {@code n} copies of each partition and a write needs two in
 * sync ({@code min.insync.replicas=2}), so one node may be killed and the cluster goes on.
 */
public final class KafkaCluster implements AutoCloseable {
  private final Path dir;
  private final int[] ports;
  private final int[] controllerPorts;
  private final String voters;
  private final String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
  private final Process[] nodes;
  private final KafkaBroker client;

  private KafkaCluster(Path dir, int n) throws IOException {
    this.dir = dir;
    this.ports = new int[n];
    this.controllerPorts = new int[n];
    this.nodes = new Process[n];
    List<String> quorum = new ArrayList<>();
    List<String> bootstrap = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ports[i] = ServiceProcesses.freePort();
      controllerPorts[i] = ServiceProcesses.freePort();
      quorum.add((i + 1) + "@127.0.0.1:" + controllerPorts[i]);
      bootstrap.add("127.0.0.1:" + ports[i]);
    }
    this.voters = String.join(",", quorum);
    this.client = KafkaBroker.clientOf(String.join(",", bootstrap), n, dir);
  }

  /** Starts {@code n} nodes whose data and logs live under {@code dir}, and waits until all are in. */
  public static KafkaCluster start(Path dir, int n) throws Exception {
    KafkaCluster cluster = new KafkaCluster(dir, n);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "stop-kafka-cluster"));
    for (int i = 0; i < n; i++) {
      cluster.startNode(i);
    }
    cluster.awaitNodes(n);
    return cluster;
  }

  /** Every node's address, as clients are given it. */
  public String bootstrap() {
    return client.bootstrap();
  }

  /** Topics, records and offsets through every node ({@link KafkaBroker}'s client methods). */
  public KafkaBroker client() {
    return client;
  }

  /** Starts node {@code i} (again, after {@link #kill}), on its ports and with its data. */
  public void startNode(int i) throws Exception {
    nodes[i] = KafkaBroker.startNode(dir.resolve("node-" + (i + 1)), i + 1, ports[i], controllerPorts[i], voters,
        clusterId, nodes.length);
  }

  /** Kills node {@code i} as {@code kill -9} does. */
  public void kill(int i) throws InterruptedException {
    nodes[i].destroyForcibly();
    nodes[i].waitFor();
  }

  /** Waits until the cluster counts {@code n} live brokers. */
  public void awaitNodes(int n) throws Exception {
    List<Process> alive = new ArrayList<>();
    for (Process p : nodes) {
      if (p != null && p.isAlive()) {
        alive.add(p);
      }
    }
    client.awaitNodes(n, alive, dir.resolve("node-1").resolve("broker.log"));
  }

  /** The index (0-based) of the node leading the partition, or -1 while none does. */
  public int leaderOf(String topic, int partition) throws Exception {
    try (Admin admin = client.admin()) {
      TopicPartitionInfo info = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
          .get(topic).partitions().get(partition);
      Node leader = info.leader();
      return leader == null || leader.isEmpty() ? -1 : leader.id() - 1;
    }
  }

  @Override
  public void close() {
    for (Process p : nodes) {
      ServiceProcesses.stop(p);
    }
  }

}
