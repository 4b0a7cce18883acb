package dev.meshflow.pipelines.recommendations.serving;

import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.kafka.KafkaAddress;
import dev.meshflow.io.kafka.KafkaSink;
import dev.meshflow.transforms.recommendations.online.ServedList;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The served-lists log ({@code serve --servedLists=kafka://host:port/topic}): each list served is
 * published, keyed by user, for the recommendations job's online evaluation. A request never waits
 * for the broker: lists queue in memory and one thread publishes them; a full queue or a broker
 * that refuses drops the list and counts it ({@link #dropped}), since serving matters more than
 * judging.
 */
final class ServedListLog implements AutoCloseable {
  static final int QUEUE = 10_000;

  private final String topic;
  private final KafkaProducer<String, String> producer;
  private final BlockingQueue<ProducerRecord<String, String>> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Thread sender;
  private volatile boolean open = true;

  private ServedListLog(String bootstrap, String topic) {
    this.topic = topic;
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "1");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    sender = new Thread(this::send, "meshflow-served-lists");
    sender.setDaemon(true);
    sender.start();
  }

  /** Opens the log a {@code --servedLists} URI names; IllegalArgumentException says what is wrong. */
  static ServedListLog open(String text) {
    EndpointUri uri = EndpointUri.parse("servedLists", text).requireOnly(Set.of());
    if (!uri.scheme().equals(KafkaSink.SCHEME)) {
      throw new IllegalArgumentException("--servedLists=" + text + ": expected kafka://host:port/topic, e.g."
          + " kafka://127.0.0.1:9092/recommendations.served");
    }
    KafkaAddress address = KafkaAddress.parse(uri);
    return new ServedListLog(address.bootstrap(), address.topic(uri));
  }

  /** Queues one served list; never blocks. */
  void log(String servedId, String userId, Instant servedAt, String itemType, List<String> items) {
    if (!queue.offer(new ProducerRecord<>(topic, userId,
        ServedList.toJson(servedId, userId, servedAt, itemType, items)))) {
      dropped.incrementAndGet();
    }
  }

  long published() {
    return published.get();
  }

  long dropped() {
    return dropped.get();
  }

  private void send() {
    while (open || !queue.isEmpty()) {
      ProducerRecord<String, String> record;
      try {
        record = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (record == null) {
        continue;
      }
      try {
        producer.send(record, (metadata, error) -> (error == null ? published : dropped).incrementAndGet());
      } catch (RuntimeException brokerAway) {
        dropped.incrementAndGet();
      }
    }
  }

  @Override
  public void close() {
    open = false;
    try {
      sender.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
