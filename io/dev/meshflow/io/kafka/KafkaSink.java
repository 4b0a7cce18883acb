package dev.meshflow.io.kafka;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.io.DatasetName;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.RowJson;
import dev.meshflow.io.SinkRejects;
import dev.meshflow.io.TableSink;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code kafka://host:port/topic[?table=interactions]}: each row as a JSON message keyed by its key
 * columns (event_id for {@code interactions}), so a compacted topic keeps one message per key and
 * consumers can deduplicate a replay by key. The main table ({@code table}, default interactions)
 * goes to the topic itself; any other table to {@code <topic>.<table>}, e.g. the dead letters to
 * {@code interactions.dead_letter}. Producers are idempotent with acks=all.
 */
public final class KafkaSink implements TableSink {
  public static final String SCHEME = "kafka";
  public static final Set<String> PARAMS = Set.of("table");

  private final String bootstrap;
  private final String topic;
  private final String mainTable;

  private KafkaSink(String bootstrap, String topic, String mainTable) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.mainTable = mainTable;
  }

  public static KafkaSink from(EndpointUri uri) {
    uri.requireOnly(PARAMS);
    KafkaAddress address = KafkaAddress.parse(uri);
    return new KafkaSink(address.bootstrap(), address.topic(uri),
        uri.params().getOrDefault("table", "interactions"));
  }

  /** The topic that receives {@code table}. */
  public String topicFor(String table) {
    return table.equals(mainTable) ? topic : topic + "." + table;
  }

  @Override
  public PTransform<PCollection<Row>, PCollection<Row>> upsert(String table, List<String> keyColumns) {
    List<String> keys = List.copyOf(keyColumns);
    String target = topicFor(table);
    return new PTransform<>() {
      @Override
      public PCollection<Row> expand(PCollection<Row> rows) {
        rows.apply("ToMessages_" + table, ParDo.of(new ToMessageFn(table, keys)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
            .apply("ProduceTo_" + table, KafkaIO.<String, byte[]>write()
                .withBootstrapServers(bootstrap)
                .withTopic(target)
                .withKeySerializer(StringSerializer.class)
                .withValueSerializer(ByteArraySerializer.class)
                .withProducerConfigUpdates(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)));
        // A broker refuses whole batches, not single rows; its errors fail the bundle, which the
        // runner retries. So no row comes back refused.
        return rows.apply("NoRefusals_" + table, ParDo.of(new DoFn<Row, Row>() {
          @ProcessElement
          public void process() {}
        })).setRowSchema(SinkRejects.SCHEMA);
      }
    };
  }

  @Override
  public DatasetName dataset(String table) {
    return new DatasetName("kafka://" + bootstrap, topicFor(table));
  }

  @Override
  public String describe() {
    return "Kafka " + bootstrap + " topic " + topic + " (other tables: " + topic + ".<table>)";
  }

  private static final class ToMessageFn extends DoFn<Row, KV<String, byte[]>> {
    private final List<String> keys;
    private final RunMetrics.StageCounter written;

    ToMessageFn(String table, List<String> keys) {
      this.keys = keys;
      this.written = RunMetrics.counter(RunMetrics.rowsWritten(table));
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<KV<String, byte[]>> out) {
      StringBuilder key = new StringBuilder();
      for (String k : keys) {
        key.append(key.length() == 0 ? "" : "/").append(String.valueOf((Object) row.getValue(k)));
      }
      out.output(KV.of(key.toString(), RowJson.toJson(row)));
      written.inc();
    }
  }
}
