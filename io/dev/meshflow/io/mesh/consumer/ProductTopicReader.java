package dev.meshflow.io.mesh.consumer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.meshflow.io.mesh.contract.ContractAvro;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.registry.SchemaRegistry;
import dev.meshflow.io.mesh.registry.WireFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a product's topic from the beginning to where it ended when the read began, as a consumer
 * of the product does: each record decoded with the writer schema its id names and read as the
 * product's current schema, an event seen before (same {@code id} header) dropped, and PII fields
 * masked, since no grant covers this reader (governance comes with issue 23).
 */
public final class ProductTopicReader {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private ProductTopicReader() {}

  /** What a read saw. */
  public record Counts(long records, long duplicates, long tombstones) {}

  /**
   * Sends each event as one JSON line ({@code key}, {@code op}, {@code id}, {@code schema_id},
   * {@code value}) to {@code lines}, at most {@code limit} of them.
   */
  public static Counts read(DataContract product, SchemaRegistry registry, String bootstrap, String topic,
      long limit, Consumer<String> lines) {
    WireFormat.Reader decoder = new WireFormat.Reader(registry, ContractAvro.of(product));
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("allow.auto.create.topics", "false");
    p.put("default.api.timeout.ms", "15000");
    p.put("isolation.level", "read_committed"); // a producer's aborted batch is never seen
    long records = 0;
    long duplicates = 0;
    long tombstones = 0;
    long shown = 0;
    Set<String> seen = new HashSet<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      var infos = c.partitionsFor(topic, Duration.ofSeconds(15));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException("no topic " + topic + " at " + bootstrap + "; is the relay"
            + " running (runners-config/local/services.sh start relay)?");
      }
      List<TopicPartition> parts = new ArrayList<>();
      infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (shown < limit && parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition())) || shown >= limit) {
            continue;
          }
          records++;
          String id = header(r, "id");
          if (id != null && !seen.add(id)) {
            duplicates++;
            continue;
          }
          if (r.value() == null) {
            tombstones++;
          }
          lines.accept(line(product, decoder, r, id));
          shown++;
        }
      }
    }
    return new Counts(records, duplicates, tombstones);
  }

  private static String line(DataContract product, WireFormat.Reader decoder,
      ConsumerRecord<String, byte[]> r, String id) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("key", r.key());
      g.writeStringField("op", header(r, "op"));
      g.writeStringField("id", id);
      if (r.value() == null) {
        g.writeNullField("value");
      } else {
        g.writeNumberField("schema_id", WireFormat.schemaId(r.value()));
        GenericRecord value = decoder.read(r.value());
        g.writeObjectFieldStart("value");
        for (ContractField f : product.fields()) {
          Object v = value.get(f.name());
          if (v == null) {
            g.writeNullField(f.name());
          } else if (f.pii()) {
            g.writeStringField(f.name(), "(PII, masked)");
          } else {
            switch (f.logicalType()) {
              case "integer" -> g.writeNumberField(f.name(), ((Number) v).longValue());
              case "number" -> g.writeNumberField(f.name(), ((Number) v).doubleValue());
              case "boolean" -> g.writeBooleanField(f.name(), (Boolean) v);
              case "date" -> g.writeStringField(f.name(),
                  java.time.LocalDate.ofEpochDay(((Number) v).longValue()).toString());
              case "timestamp" -> g.writeStringField(f.name(), (f.physicalType().equals("timestamp-micros")
                  ? java.time.Instant.EPOCH.plusNanos(((Number) v).longValue() * 1000)
                  : java.time.Instant.ofEpochMilli(((Number) v).longValue())).toString());
              default -> g.writeStringField(f.name(), v.toString());
            }
          }
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
