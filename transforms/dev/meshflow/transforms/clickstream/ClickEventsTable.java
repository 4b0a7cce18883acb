package dev.meshflow.transforms.clickstream;

import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * The {@code click_events} table: each unique event as analytics may see it, with the IP already
 * truncated or hashed, free text scrubbed, the catalog's category, and the person the cookie
 * belonged to when the event happened.
 */
public final class ClickEventsTable {
  public static final String TABLE = "click_events";
  public static final List<String> KEY = List.of("event_id");
  public static final Schema SCHEMA = Schema.builder()
      .addStringField("event_id")
      .addDateTimeField("event_ts")
      .addStringField("cookie_id")
      .addNullableField("device_id", FieldType.STRING)
      .addNullableField("user_id", FieldType.STRING)
      .addStringField("person_id")
      .addStringField("ip")
      .addStringField("country")
      .addStringField("user_agent")
      .addStringField("page")
      .addStringField("action")
      .addNullableField("product_id", FieldType.STRING)
      .addNullableField("category", FieldType.STRING)
      .addNullableField("price_cents", FieldType.INT64)
      .addNullableField("referrer", FieldType.STRING)
      .addNullableField("search_text", FieldType.STRING)
      .build();

  private ClickEventsTable() {}

  public static Row toRow(ClickEvent e) {
    return Row.withSchema(SCHEMA).attachValues(e.eventId, new Instant(e.tsMillis), e.cookieId,
        e.deviceId, e.userId, e.personId, e.ip, e.country, e.userAgent, e.page, e.action,
        e.productId, e.category, e.priceCents, e.referrer, e.searchText);
  }
}
