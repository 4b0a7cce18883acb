package dev.meshflow.transforms.clickstream;

import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * The {@code sessions} table: one row per cookie session (events no more than the session gap
 * apart), keyed by cookie and start, so a backfill over the same history replaces its rows.
 */
public final class SessionsTable {
  public static final String TABLE = "sessions";
  public static final List<String> KEY = List.of("session_id");
  public static final Schema SCHEMA = Schema.builder()
      .addStringField("session_id")
      .addStringField("cookie_id")
      .addNullableField("device_id", FieldType.STRING)
      .addStringField("person_id")
      .addStringField("country")
      .addDateTimeField("start_ts")
      .addDateTimeField("end_ts")
      .addInt64Field("events")
      .addInt64Field("page_views")
      .addInt64Field("actions")
      .addBooleanField("added_to_cart")
      .addBooleanField("purchased")
      .addInt64Field("revenue_cents")
      .addDoubleField("events_per_minute")
      .addBooleanField("is_bot")
      .addNullableField("bot_reason", FieldType.STRING)
      .build();

  private SessionsTable() {}

  public static String sessionId(String cookieId, long startMillis) {
    return cookieId + "@" + java.time.Instant.ofEpochMilli(startMillis);
  }

  /** The row with the rule-based bot verdict; {@link #asOutlier} may add the statistical one. */
  public static Row toRow(String cookieId, SessionStats s, double maxRatePerMinute) {
    long rate = BotRules.rateCenti(s.events, s.startMillis, s.lastMillis);
    String reason = BotRules.ruleReason(s.botAgent, rate, maxRatePerMinute);
    return Row.withSchema(SCHEMA).attachValues(sessionId(cookieId, s.startMillis), cookieId,
        s.deviceId, s.personId, s.country, new Instant(s.startMillis), new Instant(s.lastMillis),
        s.events, s.pageViews, s.events - s.pageViews, s.addedToCart, s.purchased, s.revenueCents,
        rate / 100.0, reason != null, reason);
  }

  public static long rateCenti(Row session) {
    return Math.round(session.getDouble("events_per_minute") * 100);
  }

  /** The row marked a bot by the statistical test, if no rule marked it already. */
  public static Row asOutlier(Row session) {
    if (session.getBoolean("is_bot")) {
      return session;
    }
    return Row.fromRow(session).withFieldValue("is_bot", true)
        .withFieldValue("bot_reason", BotRules.OUTLIER).build();
  }
}
