package dev.meshflow.pipelines.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.contract.OutputPort;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A product's freshness as measured on its stream, against the freshness its contract promises:
 * how long its newest records took to reach the topic once they happened.
 *
 * <ul>
 *   <li>A change stream (Users, Songs, Podcasts): from the outbox row's time, in the change's own
 *       transaction (the relay's {@code created_at} header), to the time the relay sent it. That is
 *       the promise's wording: "a committed change is on the topic within five seconds".
 *   <li>An event stream (Interactions, JSON): from the event's own time (the contract's first
 *       required timestamp field) to the time it was sent.
 * </ul>
 *
 * <p>The delay shown is the median over the newest records (up to {@value #NEWEST} a partition), so
 * one late event, which the contract allows, does not paint a product red; the largest is shown
 * beside it. A product is late when that median exceeds its promise. Topics are read at most every
 * {@code interval}, on a thread of their own, and a broker that does not answer is left alone for
 * {@code interval} too, so a broker that is down costs the page one line, never its refresh.
 */
final class ProductFreshness implements AutoCloseable {
  static final int NEWEST = 20;
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final String bootstrapOverride;
  private final Duration interval;
  private final Map<String, KafkaConsumer<byte[], byte[]>> consumers = new HashMap<>();
  private final Map<String, Instant> unreachableUntil = new HashMap<>();
  private final Map<String, ObjectNode> measured = new HashMap<>();
  private final Map<String, Instant> measuredAt = new HashMap<>();
  private final Set<String> measuring = new java.util.HashSet<>();
  /** Reads the topics one product at a time; the consumers below are used by this thread only. */
  private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "dashboard-freshness");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param bootstrapOverride the broker to read every product's topic from, or null for each
   *     contract's own kafka port
   */
  ProductFreshness(String bootstrapOverride, Duration interval) {
    this.bootstrapOverride = bootstrapOverride == null || bootstrapOverride.isBlank() ? null : bootstrapOverride;
    this.interval = interval;
  }

  /**
   * The product's latest measured freshness, at once. When that reading is older than the interval,
   * a thread of its own reads the topic again, so the panels never wait for a broker.
   */
  ObjectNode of(DataContract product) {
    synchronized (measured) {
      Instant at = measuredAt.get(product.name());
      if ((at == null || !at.plus(interval).isAfter(Instant.now())) && measuring.add(product.name())) {
        reader.execute(() -> {
          ObjectNode result = measure(product, Instant.now());
          synchronized (measured) {
            measured.put(product.name(), result);
            measuredAt.put(product.name(), Instant.now());
            measuring.remove(product.name());
          }
        });
      }
      ObjectNode latest = measured.get(product.name());
      return latest != null ? latest : PanelSql.JSON.createObjectNode().put("note", "reading its stream…");
    }
  }

  private ObjectNode measure(DataContract product, Instant now) {
    ObjectNode out = PanelSql.JSON.createObjectNode();
    OutputPort kafka = product.port("kafka").orElse(null);
    if (kafka == null || kafka.setting("topic") == null) {
      return out.put("note", "no stream port: not measured");
    }
    String bootstrap = bootstrapOverride != null ? bootstrapOverride : kafka.setting("host");
    String topic = kafka.setting("topic");
    out.put("stream", "topic " + topic + " at " + bootstrap);
    Instant until = unreachableUntil.get(bootstrap);
    if (until != null && until.isAfter(now)) {
      return out.put("note", "broker " + bootstrap + " not reachable; tried again at "
          + until.truncatedTo(ChronoUnit.SECONDS));
    }
    String eventTime = product.fields().stream()
        .filter(f -> f.required() && f.logicalType().equals("timestamp")).map(ContractField::name).findFirst().orElse(null);
    try {
      List<ConsumerRecord<byte[], byte[]>> newest = newest(consumer(bootstrap), topic);
      if (newest == null) {
        return out.put("note", "no topic " + topic + " at " + bootstrap + " yet");
      }
      if (newest.isEmpty()) {
        return out.put("note", "topic " + topic + " has no records yet");
      }
      List<Long> delays = new ArrayList<>();
      long newestSent = Long.MIN_VALUE;
      for (ConsumerRecord<byte[], byte[]> r : newest) {
        newestSent = Math.max(newestSent, r.timestamp());
        Instant happened = happened(r, eventTime);
        if (happened != null) {
          delays.add(r.timestamp() - happened.toEpochMilli());
        }
      }
      out.put("newestSentAt", Instant.ofEpochMilli(newestSent).toString()).put("records", newest.size());
      if (delays.isEmpty()) {
        return out.put("note", "its records carry neither a created_at header nor a "
            + (eventTime == null ? "timestamp field" : eventTime) + ": delay not measured");
      }
      delays.sort(null);
      long median = delays.get(delays.size() / 2);
      out.put("basis", eventTime != null && newest.get(0).headers().lastHeader("created_at") == null
          ? "event time (" + eventTime + ") to sent" : "committed (outbox) to sent");
      out.put("delayMs", median).put("maxDelayMs", delays.get(delays.size() - 1)).put("measured", delays.size());
      if (product.freshness() != null) {
        out.put("late", median > product.freshness().toMillis());
      }
      return out;
    } catch (RuntimeException e) {
      forget(bootstrap);
      unreachableUntil.put(bootstrap, now.plus(interval));
      return out.put("note", "broker " + bootstrap + " not reachable: " + Snapshots.oneLine(e));
    }
  }

  /** The newest records of every partition, or null when the topic does not exist. */
  private static List<ConsumerRecord<byte[], byte[]>> newest(KafkaConsumer<byte[], byte[]> c, String topic) {
    List<PartitionInfo> infos = c.listTopics(TIMEOUT).get(topic);
    if (infos == null) {
      return null;
    }
    List<TopicPartition> parts = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    c.assign(parts);
    Map<TopicPartition, Long> begin = c.beginningOffsets(parts, TIMEOUT);
    Map<TopicPartition, Long> end = c.endOffsets(parts, TIMEOUT);
    List<TopicPartition> remaining = new ArrayList<>();
    for (TopicPartition tp : parts) {
      long from = Math.max(begin.get(tp), end.get(tp) - NEWEST);
      if (from < end.get(tp)) {
        c.seek(tp, from);
        remaining.add(tp);
      }
    }
    c.pause(parts);
    c.resume(remaining);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    Instant deadline = Instant.now().plus(TIMEOUT);
    while (remaining.stream().anyMatch(tp -> c.position(tp, TIMEOUT) < end.get(tp))) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("the newest records of " + topic + " did not arrive within " + TIMEOUT.toSeconds() + " s");
      }
      for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
        if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** When the record's change was committed (the relay's header), or its event happened. */
  private static Instant happened(ConsumerRecord<byte[], byte[]> r, String eventTime) {
    Header created = r.headers().lastHeader("created_at");
    try {
      if (created != null) {
        return OffsetDateTime.parse(new String(created.value(), StandardCharsets.UTF_8)).toInstant();
      }
      if (eventTime != null && r.value() != null && r.value().length > 0 && r.value()[0] == '{') {
        JsonNode ts = PanelSql.JSON.readTree(r.value()).path(eventTime);
        return ts.isNumber() ? Instant.ofEpochMilli(ts.asLong()) : ts.isTextual() ? Instant.parse(ts.asText()) : null;
      }
    } catch (java.io.IOException | RuntimeException unreadable) {
      return null; // a record that is not the product's shape is the consumers' dead letter, not a delay
    }
    return null;
  }

  private KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    return consumers.computeIfAbsent(bootstrap, b -> {
      Properties p = new Properties();
      p.put("bootstrap.servers", b);
      p.put("key.deserializer", ByteArrayDeserializer.class.getName());
      p.put("value.deserializer", ByteArrayDeserializer.class.getName());
      p.put("enable.auto.commit", "false"); // no group: it reads, and commits nothing
      p.put("client.id", "meshflow-dashboard-freshness");
      p.put("request.timeout.ms", String.valueOf(TIMEOUT.toMillis()));
      p.put("default.api.timeout.ms", String.valueOf(TIMEOUT.toMillis()));
      p.put("reconnect.backoff.max.ms", "10000");
      return new KafkaConsumer<>(p);
    });
  }

  private void forget(String bootstrap) {
    KafkaConsumer<byte[], byte[]> c = consumers.remove(bootstrap);
    if (c != null) {
      c.close(Duration.ZERO);
    }
  }

  @Override
  public void close() {
    reader.shutdownNow();
    try {
      reader.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    new ArrayList<>(consumers.keySet()).forEach(this::forget);
  }
}
