package dev.meshflow.io.mesh.domains;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What a product topic holds, read from the beginning to its end, with each record's event id. */
final class TopicContents {
  /**
   * One record: its key, event id, op and created_at headers, value (null: a tombstone) and the
   * time the relay sent it.
   */
  record Event(String key, String id, String op, String createdAt, byte[] value, int partition, long offset,
      long timestamp) {}

  private TopicContents() {}

  static long endOffsets(String bootstrap, List<String> topics) {
    try (KafkaConsumer<String, byte[]> c = consumer(bootstrap)) {
      long sum = 0;
      for (String topic : topics) {
        List<TopicPartition> parts = partitions(c, topic);
        sum += c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
      }
      return sum;
    }
  }

  static List<Event> read(String bootstrap, String topic) {
    try (KafkaConsumer<String, byte[]> c = consumer(bootstrap)) {
      List<TopicPartition> parts = partitions(c, topic);
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      List<Event> events = new ArrayList<>();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofSeconds(1))) {
          events.add(new Event(r.key(), header(r, "id"), header(r, "op"), header(r, "created_at"), r.value(),
              r.partition(), r.offset(), r.timestamp()));
        }
      }
      return events;
    }
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c, String topic) {
    List<TopicPartition> parts = new ArrayList<>();
    var infos = c.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos != null) {
      infos.forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
    }
    return parts;
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("max.poll.records", "5000");
    p.put("allow.auto.create.topics", "false");
    return new KafkaConsumer<>(p);
  }
}
