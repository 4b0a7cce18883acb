package dev.meshflow.io.mesh.producer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.meshflow.io.mesh.contract.ContractAvro;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.ContractRecords;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.contract.OutputPort;
import dev.meshflow.io.mesh.contract.RefusedRecordException;
import dev.meshflow.io.mesh.registry.SchemaRegistry;
import dev.meshflow.io.mesh.registry.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What a domain service uses to publish records of its product: each record is checked against
 * the product's contract (types, required fields, quality rules) where it is made, serialised as
 * the product's Kafka port says (Avro in the wire format under the registered schema id, or JSON
 * lines), keyed by its key field, with an {@code id} header, and sent with an idempotent producer.
 * A record that breaks the contract is refused with every reason ({@link RefusedRecordException})
 * and never sent.
 *
 * <p>{@link #publishAll} publishes a batch in one Kafka transaction: a consumer reading committed
 * records ({@code isolation.level=read_committed}) sees all of it or none of it, even if the
 * process dies between two sends.
 */
public final class MeshProducer implements AutoCloseable {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private final DataContract contract;
  private final Schema schema;
  private final WireFormat.Writer writer;
  private final ContractRecords.Checker checker;
  private final boolean avro;
  private final String topic;
  private final String keyField;
  private final Producer<byte[], byte[]> producer;
  private final boolean transactional;

  /**
   * A producer for {@code contract}'s Kafka port.
   *
   * @param bootstrap the brokers; null: the port's host
   * @param topic the topic; null: the port's topic
   * @param transactionalId null for a plain idempotent producer; else the id of this producer's
   *     transactions (one per producing process), which {@link #publishAll} needs
   */
  public static MeshProducer open(DataContract contract, SchemaRegistry registry, String bootstrap,
      String topic, String transactionalId) {
    OutputPort kafka = contract.port("kafka").orElseThrow(() -> new IllegalArgumentException(
        contract.name() + " has no kafka port to publish to"));
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap == null ? kafka.setting("host") : bootstrap);
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("linger.ms", "5");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    if (transactionalId != null) {
      p.put("transactional.id", transactionalId);
    }
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
    if (transactionalId != null) {
      producer.initTransactions();
    }
    return new MeshProducer(contract, registry, topic == null ? kafka.setting("topic") : topic,
        "avro".equals(kafka.setting("format")), producer, transactionalId != null);
  }

  MeshProducer(DataContract contract, SchemaRegistry registry, String topic, boolean avro,
      Producer<byte[], byte[]> producer, boolean transactional) {
    this.contract = contract;
    this.schema = ContractAvro.of(contract);
    this.avro = avro;
    this.topic = topic;
    this.producer = producer;
    this.transactional = transactional;
    this.keyField = contract.key().map(ContractField::name).orElse(null);
    this.checker = new ContractRecords.Checker(contract);
    if (avro) {
      this.writer = new WireFormat.Writer(ContractAvro.registeredId(contract, registry), schema);
    } else {
      this.writer = null;
    }
  }

  /** The record as its topic carries it; refused with every reason if it breaks the contract. */
  public byte[] serialize(Map<String, ?> record) {
    checker.require(record);
    if (avro) {
      synchronized (writer) {
        return writer.encode(ContractRecords.toAvroChecked(contract, schema, record));
      }
    }
    return json(record);
  }

  /** Checks, serialises and sends one record (asynchronously); returns its event id. */
  public String send(Map<String, ?> record) {
    byte[] value = serialize(record);
    String id = UUID.randomUUID().toString();
    producer.send(kafkaRecord(record, value, id));
    return id;
  }

  /**
   * Checks, serialises and sends one record, and waits until the broker has it; returns its event
   * id. Refused (RefusedRecordException) if it breaks the contract; throws if the broker does not
   * take it.
   */
  public String publish(Map<String, ?> record) throws InterruptedException, ExecutionException {
    byte[] value = serialize(record);
    String id = UUID.randomUUID().toString();
    producer.send(kafkaRecord(record, value, id)).get();
    return id;
  }

  /**
   * Publishes already-checked records ({@link #serialize}) in one transaction and waits until it
   * is committed; returns their event ids. Needs a transactional producer.
   */
  public List<String> publishAll(List<Map<String, ?>> records, List<byte[]> values) {
    if (!transactional) {
      throw new IllegalStateException("publishAll needs a producer opened with a transactional id");
    }
    List<String> ids = new ArrayList<>(records.size());
    producer.beginTransaction();
    try {
      for (int i = 0; i < records.size(); i++) {
        String id = UUID.randomUUID().toString();
        producer.send(kafkaRecord(records.get(i), values.get(i), id));
        ids.add(id);
      }
      producer.commitTransaction();
      return ids;
    } catch (RuntimeException e) {
      producer.abortTransaction();
      throw e;
    }
  }

  /** Waits until every record sent so far is acknowledged. */
  public void flush() {
    producer.flush();
  }

  public DataContract contract() {
    return contract;
  }

  public String topic() {
    return topic;
  }

  private ProducerRecord<byte[], byte[]> kafkaRecord(Map<String, ?> record, byte[] value, String id) {
    Object key = keyField == null ? null : record.get(keyField);
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic,
        key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8), value);
    r.headers().add("id", id.getBytes(StandardCharsets.UTF_8));
    return r;
  }

  /** One JSON line with the contract's fields, for ports whose format is json. */
  private byte[] json(Map<String, ?> record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      for (ContractField f : contract.fields()) {
        Object v = record.get(f.name());
        if (v == null) {
          continue;
        }
        g.writeFieldName(f.name());
        if (v instanceof Number n) {
          if (f.logicalType().equals("integer")) {
            g.writeNumber(n.longValue());
          } else {
            g.writeNumber(n.doubleValue());
          }
        } else if (v instanceof Boolean b) {
          g.writeBoolean(b);
        } else {
          g.writeString(v.toString());
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    producer.close();
  }
}
