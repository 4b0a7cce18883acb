package dev.meshflow.transforms.ingest;

import dev.meshflow.core.RunMetrics;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * The L of ELT: every record, unchanged, as a row of {@code interactions_raw}, keyed by its origin,
 * with the time it was landed and, for Kafka, its topic, partition and offset. Nothing is parsed
 * or dropped here; {@link EltViews} does the rest in SQL.
 */
public final class RawLanding extends PTransform<PCollection<KV<String, byte[]>>, PCollection<Row>> {
  public static final String TABLE = "interactions_raw";
  public static final List<String> KEY = List.of("origin");

  public static final Schema SCHEMA = Schema.builder()
      .addStringField("origin")
      .addByteArrayField("payload")
      .addNullableField("source_topic", FieldType.STRING)
      .addNullableField("source_partition", FieldType.INT32)
      .addNullableField("source_offset", FieldType.INT64)
      .addDateTimeField("ingested_at")
      .build();

  @Override
  public PCollection<Row> expand(PCollection<KV<String, byte[]>> records) {
    return records.apply("ToRawRows", ParDo.of(new ToRawRowFn())).setRowSchema(SCHEMA);
  }

  /** Splits a {@code kafka:topic/partition/offset} origin; other origins have no coordinates. */
  static Row toRow(String origin, byte[] payload, long nowMillis) {
    String topic = null;
    Integer partition = null;
    Long offset = null;
    if (origin.startsWith("kafka:")) {
      String[] parts = origin.substring("kafka:".length()).split("/");
      if (parts.length == 3) {
        topic = parts[0];
        partition = Integer.valueOf(parts[1]);
        offset = Long.valueOf(parts[2]);
      }
    }
    return Row.withSchema(SCHEMA)
        .addValues(origin, payload, topic, partition, offset, new Instant(nowMillis)).build();
  }

  private static final class ToRawRowFn extends DoFn<KV<String, byte[]>, Row> {
    private final RunMetrics.StageCounter read = RunMetrics.counter(RunMetrics.READ);

    @ProcessElement
    public void process(@Element KV<String, byte[]> record, OutputReceiver<Row> out) {
      read.inc();
      out.output(toRow(record.getKey(), record.getValue(), System.currentTimeMillis()));
    }
  }
}
