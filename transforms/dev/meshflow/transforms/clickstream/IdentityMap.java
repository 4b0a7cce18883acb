package dev.meshflow.transforms.clickstream;

import dev.meshflow.core.PaneVersion;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * The {@code identity_map} table: every identity that was ever linked (cookie, device, user) and
 * the person it belongs to now. A row is replaced only by a later version ({@link PaneVersion}):
 * the graph numbers its changes in event-time order, so writers may see them in any order.
 */
public final class IdentityMap {
  public static final String TABLE = "identity_map";
  public static final List<String> KEY = List.of("identity");
  public static final Schema SCHEMA = Schema.builder()
      .addStringField("identity")
      .addStringField("identity_type")
      .addStringField("person_id")
      .addBooleanField("linked")
      .addDateTimeField("updated_at")
      .addInt64Field(PaneVersion.PANE_INDEX)
      .addBooleanField(PaneVersion.IS_FINAL)
      .build();

  private IdentityMap() {}

  /** An identity's own id, as its person when it is linked to nobody: {@code cookie:<id>}. */
  public static String identity(String type, String id) {
    return type + ":" + id;
  }

  public static Row toRow(String identity, String personId, long atMillis, long version) {
    String type = identity.substring(0, identity.indexOf(':'));
    return Row.withSchema(SCHEMA).attachValues(identity, type, personId, !personId.equals(identity),
        new Instant(atMillis), version, false);
  }
}
