package dev.meshflow.transforms.recommendations.online;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * One list the recommendations API served, as its served-lists log records it: which user, when,
 * and the items in the order served. {@code payload} is the record as read, for a dead letter.
 *
 * @param itemType the {@code type} the request asked for; null for any
 */
public record ServedList(String servedId, String userId, long servedAtMillis, String itemType, List<String> items,
    byte[] payload) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The log's record: {"served_id","user_id","ts" (ISO-8601),"type","items":[...]}. */
  public static String toJson(String servedId, String userId, java.time.Instant servedAt, String itemType,
      List<String> items) {
    com.fasterxml.jackson.databind.node.ObjectNode record = JSON.createObjectNode()
        .put("served_id", servedId).put("user_id", userId).put("ts", servedAt.toString());
    if (itemType != null) {
      record.put("type", itemType);
    }
    items.forEach(record.putArray("items")::add);
    return record.toString();
  }

  /** Reads one log record; IllegalArgumentException says which field is wrong and why. */
  public static ServedList parse(byte[] payload) {
    JsonNode record;
    try {
      record = JSON.readTree(new String(payload, StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (record == null || !record.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String servedId = text(record, "served_id");
    String userId = text(record, "user_id");
    long servedAt;
    try {
      servedAt = java.time.Instant.parse(text(record, "ts")).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("ts: not an ISO-8601 instant: " + record.get("ts").asText());
    }
    JsonNode type = record.get("type");
    if (type != null && !type.isNull() && !type.isTextual()) {
      throw new IllegalArgumentException("type: must be a string");
    }
    JsonNode items = record.get("items");
    if (items == null || !items.isArray()) {
      throw new IllegalArgumentException("items: missing, or not an array");
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode item : items) {
      if (!item.isTextual() || item.asText().isEmpty()) {
        throw new IllegalArgumentException("items: each must be a non-empty item id");
      }
      ids.add(item.asText());
    }
    return new ServedList(servedId, userId, servedAt, type == null || type.isNull() ? null : type.asText(),
        List.copyOf(ids), payload);
  }

  private static String text(JsonNode record, String field) {
    JsonNode value = record.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw new IllegalArgumentException(field + ": missing, or not a non-empty string");
    }
    return value.asText();
  }

  /** The served list's Beam coder. */
  public static final class Coder extends CustomCoder<ServedList> {
    private static final Coder INSTANCE = new Coder();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final NullableCoder<String> OPTIONAL = NullableCoder.of(StringUtf8Coder.of());
    private static final ListCoder<String> ITEMS = ListCoder.of(StringUtf8Coder.of());

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(ServedList list, OutputStream out) throws IOException {
      STRING.encode(list.servedId, out);
      STRING.encode(list.userId, out);
      VarLongCoder.of().encode(list.servedAtMillis, out);
      OPTIONAL.encode(list.itemType, out);
      ITEMS.encode(list.items, out);
      ByteArrayCoder.of().encode(list.payload, out);
    }

    @Override
    public ServedList decode(InputStream in) throws IOException {
      return new ServedList(STRING.decode(in), STRING.decode(in), VarLongCoder.of().decode(in), OPTIONAL.decode(in),
          ITEMS.decode(in), ByteArrayCoder.of().decode(in));
    }
  }
}
