package dev.meshflow.testing.services;

import dev.meshflow.testing.Await;
import dev.meshflow.testing.JavaCommand;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A real Apache Kafka 3.9 broker in KRaft mode (combined broker and controller), run as its own
 * process: the broker is built on Scala 2.13 and Spark on 2.12, so they cannot share a classpath.
 * One broker serves every test in the JVM; it stops when the JVM exits.
 */
public final class KafkaBroker {
  private static KafkaBroker shared;

  private final Process process;
  private final String bootstrap;
  private final Path dir;
  /** How many copies of each partition a topic created here gets. */
  private final short replicas;

  private KafkaBroker(Process process, String bootstrap, Path dir, int replicas) {
    this.process = process;
    this.bootstrap = bootstrap;
    this.dir = dir;
    this.replicas = (short) replicas;
  }

  /**
   * The client side of several brokers ({@link KafkaCluster}'s): every method reaches them through
   * {@code bootstrap}, topics get {@code replicas} copies, and {@link #stop} stops nothing.
   */
  static KafkaBroker clientOf(String bootstrap, int replicas, Path dir) {
    return new KafkaBroker(null, bootstrap, dir, replicas);
  }

  public static synchronized KafkaBroker shared() throws Exception {
    if (shared == null) {
      shared = start(Files.createTempDirectory("meshflow-kafka"));
      KafkaBroker broker = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(broker::stop, "stop-kafka"));
    }
    return shared;
  }

  public static KafkaBroker start(Path dir) throws Exception {
    return start(dir, freePort(), freePort());
  }

  /** Starts a broker on fixed ports; its data lives in {@code dir} and survives a restart. */
  public static KafkaBroker start(Path dir, int port, int controllerPort) throws Exception {
    Process broker = startNode(dir, 1, port, controllerPort, "1@127.0.0.1:" + controllerPort,
        org.apache.kafka.common.Uuid.randomUuid().toString(), 1);
    KafkaBroker b = new KafkaBroker(broker, "127.0.0.1:" + port, dir, 1);
    b.awaitNodes(1, List.of(broker), dir.resolve("broker.log"));
    return b;
  }

  /**
   * Starts one KRaft node, broker and controller, of the quorum {@code voters} ("1@host:port,..."):
   * formatted for {@code clusterId} on its first start, its data in {@code dir} (surviving a
   * restart), its log in {@code dir/broker.log}. Internal topics and new topics get
   * {@code replicas} copies, and a write needs two of them in sync once there are more than one.
   */
  static Process startNode(Path dir, int nodeId, int port, int controllerPort, String voters, String clusterId,
      int replicas) throws Exception {
    String classpath = LocalServices.kafkaClasspath();
    Files.createDirectories(dir);
    Path config = dir.resolve("server.properties");
    int inSync = Math.min(2, replicas);
    Files.writeString(config, String.join("\n",
        "process.roles=broker,controller",
        "node.id=" + nodeId,
        "controller.quorum.voters=" + voters,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "num.partitions=4",
        "default.replication.factor=" + replicas,
        "min.insync.replicas=" + inSync,
        "offsets.topic.replication.factor=" + replicas,
        "transaction.state.log.replication.factor=" + replicas,
        "transaction.state.log.min.isr=" + inSync,
        "group.initial.rebalance.delay.ms=0",
        ""));
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    File log = dir.resolve("broker.log").toFile();
    boolean formatted = Files.exists(dir.resolve("data").resolve("meta.properties"));
    Process format = formatted ? null : new ProcessBuilder(javaBin, JavaCommand.QUICK_START.get(0), "-cp", classpath,
        "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString())
        .redirectErrorStream(true).redirectOutput(log).start();
    if (format != null && (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0)) {
      throw new IllegalStateException("kafka storage format failed: " + Files.readString(log.toPath()));
    }
    Process broker = new ProcessBuilder(javaBin, "-Xmx512m", JavaCommand.QUICK_START.get(0), "-cp", classpath, "kafka.Kafka", config.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "stop-kafka-process"));
    return broker;
  }

  /** Waits until the cluster counts {@code n} brokers; fails with the log's end if one of them exits. */
  void awaitNodes(int n, List<Process> processes, Path log) throws Exception {
    try {
      Await.until(n + " Kafka broker(s) at " + bootstrap, java.time.Duration.ofSeconds(90), () -> {
        for (Process p : processes) {
          if (!p.isAlive()) {
            throw new IllegalStateException("a kafka broker exited: " + Files.readString(log));
          }
        }
        try (Admin admin = admin()) {
          return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
        } catch (Exception notYet) {
          return 0;
        }
      }, count -> count >= n);
    } catch (AssertionError slow) {
      // Once seen in CI after a restart (a broker alive but silent for 90 s): say what it was doing.
      String text = Files.readString(log);
      throw new AssertionError(slow.getMessage() + "\nthe broker's log ends:\n"
          + text.substring(Math.max(0, text.length() - 4000)), slow);
    }
  }

  public String bootstrap() {
    return bootstrap;
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
  }

  /** The offsets {@code group} has committed on the topic's partitions, summed. */
  public long committed(String topic, String group, int partitions) throws Exception {
    try (Admin admin = admin()) {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      long sum = 0;
      for (int p = 0; p < partitions; p++) {
        var o = offsets.get(new org.apache.kafka.common.TopicPartition(topic, p));
        sum += o == null ? 0 : o.offset();
      }
      return sum;
    }
  }

  /** The messages of the topic {@code group} has not committed. */
  public long lag(String topic, String group, int partitions) throws Exception {
    try (Admin admin = admin()) {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new org.apache.kafka.common.TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      long end = 0;
      for (var e : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values()) {
        end += e.offset();
      }
      return end - committed(topic, group, partitions);
    }
  }

  /**
   * Creates the topic and returns once every partition has a leader. The create call returns when
   * the controller has the topic, possibly before the broker leads its partitions; a producer
   * that writes in that gap got NOT_LEADER_OR_FOLLOWER and then, being idempotent,
   * OUT_OF_ORDER_SEQUENCE until its delivery timeout (seen once in CI).
   */
  public void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, replicas))).all()
          .get(30, TimeUnit.SECONDS);
      dev.meshflow.testing.Await.until("leaders for every partition of " + topic, java.time.Duration.ofSeconds(30),
          () -> ledPartitions(admin, topic), led -> led == partitions);
    }
  }

  /**
   * Partitions of the topic that have a leader; 0 while the broker's metadata does not know the
   * topic yet, which describeTopics reports as UnknownTopicOrPartition just after the create
   * returns (seen once in CI).
   */
  private static long ledPartitions(Admin admin, String topic) throws Exception {
    try {
      return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
          .partitions().stream().filter(p -> p.leader() != null && !p.leader().isEmpty()).count();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
        return 0;
      }
      throw e;
    }
  }

  /** Produces each value keyed by the given key (null key: the sticky partitioner), and waits for acks. */
  public void produce(String topic, List<byte[]> keys, List<byte[]> values) throws Exception {
    produce(topic, keys, values, 0);
  }

  /** Writes the records keyed by their event_id (none for a malformed one), so duplicates share a partition. */
  public void produceKeyedByEventId(String topic,
      List<InteractionAnalyticsModel.Record> records)
      throws Exception {
    Pattern eventId = Pattern.compile("\"event_id\":\"([^\"]+)\"");
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (var r : records) {
      Matcher m = eventId.matcher(new String(r.payload(), StandardCharsets.UTF_8));
      keys.add(m.find() ? utf8(m.group(1)) : null);
      values.add(r.payload());
    }
    produce(topic, keys, values);
  }

  /** Produces value i to partition i mod {@code partitions}, so partitions hold equal counts. */
  public void produceEvenly(String topic, List<byte[]> values, int partitions) throws Exception {
    produce(topic, null, values, partitions);
  }

  private void produce(String topic, List<byte[]> keys, List<byte[]> values, int partitions)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // Plain retries in order, not the idempotent producer's sequence numbers: after a leadership
    // change on a new topic those can loop on OUT_OF_ORDER_SEQUENCE until the delivery timeout.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        Integer partition = partitions > 0 ? i % partitions : null;
        acks.add(producer.send(new ProducerRecord<>(topic, partition, keys == null ? null : keys.get(i),
            values.get(i))));
      }
      producer.flush();
      for (java.util.concurrent.Future<?> ack : acks) {
        ack.get(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Reads a topic from the beginning until {@code count} messages have arrived or the timeout
   * passes, and returns them as (key, value) strings.
   */
  public List<String[]> consume(String topic, int count, java.time.Duration timeout) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", "meshflow-test-reader-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    List<String[]> out = new ArrayList<>();
    try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      Await.until(count + " messages in " + topic, timeout, () -> {
        consumer.poll(java.time.Duration.ofMillis(500))
            .forEach(r -> out.add(new String[] {r.key(), r.value()}));
        return out.size();
      }, n -> n >= count);
    }
    return out;
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
