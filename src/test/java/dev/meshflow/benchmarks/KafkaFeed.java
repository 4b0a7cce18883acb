package dev.meshflow.benchmarks;

import dev.meshflow.io.generator.RecordGenerator;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.services.KafkaBroker;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes live generated events to a topic at a steady rate, each stamped with the time it is sent,
 * as a producer domain would: a job then reads from Kafka what it otherwise reads from the
 * generator.
 */
final class KafkaFeed extends Thread {
  private static final int PARTITIONS = 4;
  private final KafkaBroker broker;
  private final String topic;
  private final String generator;
  private final long rate;
  private final long maxSeconds;
  private volatile boolean running = true;
  private final long probeEvery;
  private final ProbeListener probes;

  /** Told when Kafka has acknowledged every {@code probeEvery}-th record, for latency from the topic. */
  interface ProbeListener {
    void acknowledged(long index, byte[] payload, long ackNanos);
  }

  private KafkaFeed(KafkaBroker broker, String topic, String generator, long rate, long maxSeconds,
      long probeEvery, ProbeListener probes) {
    super("kafka-feed");
    this.probeEvery = probeEvery;
    this.probes = probes;
    this.broker = broker;
    this.topic = topic;
    this.generator = generator;
    this.rate = rate;
    this.maxSeconds = maxSeconds;
  }

  /**
   * Starts feeding a new topic of four partitions on the shared broker.
   *
   * @param generator a generator URI without events, start or (for interactions) eventsPerSecond
   * @param maxSeconds how long the feed may run at most; the generator is sized for it
   */
  static KafkaFeed start(String topic, String generator, long rate, long maxSeconds) throws Exception {
    return start(topic, generator, rate, maxSeconds, Long.MAX_VALUE, null);
  }

  /** As {@link #start(String, String, long, long)}, telling {@code probes} of every {@code probeEvery}-th record. */
  static KafkaFeed start(String topic, String generator, long rate, long maxSeconds, long probeEvery,
      ProbeListener probes) throws Exception {
    KafkaBroker broker = KafkaBroker.shared();
    try (org.apache.kafka.clients.admin.Admin admin = broker.admin()) {
      if (!admin.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS).contains(topic)) {
        broker.createTopic(topic, PARTITIONS); // else created by the caller, for a job that starts first
      }
    }
    KafkaFeed feed = new KafkaFeed(broker, topic, generator, rate, maxSeconds, probeEvery, probes);
    feed.start();
    return feed;
  }

  String topic() {
    return topic;
  }

  String bootstrap() {
    return broker.bootstrap();
  }

  /** The records of the topic {@code group} has not committed. */
  long lag(String group) throws Exception {
    return broker.lag(topic, group, PARTITIONS);
  }

  String sourceUri(String group) {
    return "kafka://" + broker.bootstrap() + "/" + topic + "?group=" + group;
  }

  @Override
  public void run() {
    long t0 = System.currentTimeMillis();
    // Interactions spread their event time by eventsPerSecond; vehicles report every reportSeconds.
    String pace = generator.startsWith("generator:interactions") ? "&eventsPerSecond=" + rate : "";
    RecordGenerator records = GeneratedInput.generator(generator + "&events=" + rate * maxSeconds
        + pace + "&start=" + java.time.Instant.ofEpochMilli(t0));
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.ACKS_CONFIG, "1");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = 0; running && i < rate * maxSeconds; i++) {
        long wait = t0 + i * 1000 / rate - System.currentTimeMillis();
        if (wait > 0) {
          LockSupport.parkNanos(wait * 1_000_000L); // pacing the producer, not awaiting a condition
        }
        byte[] payload = records.recordAt(i).payload;
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, (int) (i % PARTITIONS), null, payload);
        if (probes != null && i % probeEvery == 0) {
          long index = i;
          producer.send(record, (metadata, error) -> {
            if (error == null) {
              probes.acknowledged(index, payload, System.nanoTime());
            }
          });
        } else {
          producer.send(record);
        }
      }
    }
  }

  void stopFeeding() throws InterruptedException {
    running = false;
    join();
  }
}
