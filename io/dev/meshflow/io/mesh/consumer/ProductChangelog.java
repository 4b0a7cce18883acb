package dev.meshflow.io.mesh.consumer;

import dev.meshflow.io.mesh.registry.WireFormat;
import dev.meshflow.io.kafka.KafkaSource;
import dev.meshflow.io.stream.BatchedRead;
import dev.meshflow.io.stream.StoppingRead;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A product's changelog: its topic read from the beginning and then as it grows, each record
 * decoded with the writer schema its id names (the registered versions travel with the job, so
 * workers need no catalog files) and read as the product's current schema, as {@link ProductRows}.
 * A tombstone is a row with the key alone and {@code _deleted} true. Element time is the time the
 * record was read: a changelog says what is true now, not when an event happened.
 */
public final class ProductChangelog extends PTransform<PBegin, PCollection<Row>> {
  private final MeshProduct product;
  private final org.joda.time.Duration lifetime;
  private final boolean untilCaughtUp;

  /**
   * @param lifetime how long to read, as the run's {@code --runFor} (null: as long as the run)
   * @param untilCaughtUp read only what the topic holds at launch: the run's own input ends by
   *     itself (a replay), and the changelog must not keep it going
   */
  public ProductChangelog(MeshProduct product, org.joda.time.Duration lifetime, boolean untilCaughtUp) {
    this.product = product;
    this.lifetime = lifetime;
    this.untilCaughtUp = untilCaughtUp;
    if (product.topic() == null) {
      throw new IllegalArgumentException("mesh://" + product.name() + " has no kafka port to stream");
    }
  }

  @Override
  public PCollection<Row> expand(PBegin begin) {
    org.apache.beam.sdk.schemas.Schema schema = ProductRows.schema(product.fields());
    PTransform<PBegin, PCollection<KafkaRecord<byte[], byte[]>>> read = KafkaIO.<byte[], byte[]>read()
        .withBootstrapServers(product.bootstrap())
        .withTopic(product.topic())
        .withKeyDeserializer(ByteArrayDeserializer.class)
        .withValueDeserializer(ByteArrayDeserializer.class)
        .withConsumerConfigUpdates(Map.of("auto.offset.reset", "earliest",
            "enable.auto.commit", false, "isolation.level", "read_committed"))
        .withProcessingTime();
    org.apache.beam.sdk.options.PipelineOptions options = begin.getPipeline().getOptions();
    if (untilCaughtUp || lifetime != null) {
      read = StoppingRead.of(read, options, lifetime, untilCaughtUp
          ? KafkaSource.caughtUpWithNow(product.bootstrap(), java.util.List.of(product.topic())) : null);
    }
    return begin
        .apply("ReadTopic", BatchedRead.of(read, options))
        .apply("Decode", ParDo.of(new DecodeFn(product, schema)))
        .setRowSchema(schema);
  }

  private static final class DecodeFn extends DoFn<KafkaRecord<byte[], byte[]>, Row> {
    private final MeshProduct product;
    private final org.apache.beam.sdk.schemas.Schema schema;
    private transient WireFormat.Reader reader;

    DecodeFn(MeshProduct product, org.apache.beam.sdk.schemas.Schema schema) {
      this.product = product;
      this.schema = schema;
    }

    @Setup
    public void setup() {
      Map<Integer, String> writers = product.writerSchemas();
      reader = new WireFormat.Reader(id -> Optional.ofNullable(writers.get(id))
          .map(json -> new Schema.Parser().parse(json)), new Schema.Parser().parse(product.readerSchema()));
    }

    @ProcessElement
    public void process(@Element KafkaRecord<byte[], byte[]> r, OutputReceiver<Row> out) {
      byte[] key = r.getKV().getKey();
      byte[] value = r.getKV().getValue();
      out.output(ProductRows.fromAvro(schema, product,
          key == null ? null : new String(key, StandardCharsets.UTF_8),
          value == null ? null : reader.read(value), r.getPartition(), r.getOffset()));
    }
  }
}
