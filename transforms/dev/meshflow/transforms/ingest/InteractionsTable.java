package dev.meshflow.transforms.ingest;

import dev.meshflow.transforms.interactions.InteractionEvent;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/** The warehouse's {@code interactions} table: one row per event_id, typed and enriched. */
public final class InteractionsTable {
  public static final String TABLE = "interactions";
  public static final List<String> KEY = List.of("event_id");

  /** The typed columns that ETL's table and ELT's view share. */
  public static final List<String> TYPED_COLUMNS = List.of("event_id", "event_ts", "user_id",
      "item_id", "item_type", "event_type", "device", "session_id", "duration_ms");

  /** Columns --hashFields, --maskFields and --dropFields may name. */
  public static final List<String> PRIVATE_COLUMNS = List.of("user_id", "session_id", "device");

  public static final Schema SCHEMA = Schema.builder()
      .addStringField("event_id")
      .addDateTimeField("event_ts")
      .addNullableField("user_id", FieldType.STRING)
      .addStringField("item_id")
      .addStringField("item_type")
      .addStringField("event_type")
      .addNullableField("device", FieldType.STRING)
      .addBooleanField("device_filled")
      .addNullableField("session_id", FieldType.STRING)
      .addNullableField("duration_ms", FieldType.INT64)
      .addNullableField("title", FieldType.STRING)
      .addNullableField("artist", FieldType.STRING)
      .addNullableField("genre", FieldType.STRING)
      .addStringField("source_origin")
      .build();

  private InteractionsTable() {}

  /**
   * The event as a row, before filling, enrichment and privacy rules. The values are attached
   * without Beam's per-field validation: the parser has already checked every one, and the
   * validation cost more than the parse itself on the bulk-load path.
   */
  public static Row toRow(InteractionEvent e) {
    return Row.withSchema(SCHEMA).attachValues(
        e.eventId(), new Instant(e.timestampMillis()), e.userId(), e.itemId(), e.itemType(),
        e.eventType(), e.device(), false, e.sessionId(), e.durationMs(), null, null, null,
        e.origin());
  }
}
