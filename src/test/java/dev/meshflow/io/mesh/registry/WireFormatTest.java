package dev.meshflow.io.mesh.registry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real schema evolution on the wire: version 2 of a product adds a field with a default and
 * removes an optional one (FULL compatible, so the registry accepts it). A consumer built on
 * version 1 reads version 2's records, and one built on version 2 reads version 1's.
 */
public class WireFormatTest {
  private static final Schema V1 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Song\","
      + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"title\",\"type\":\"string\"},"
      + "{\"name\":\"mood\",\"type\":[\"null\",\"string\"],\"default\":null}]}");
  private static final Schema V2 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Song\","
      + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"title\",\"type\":\"string\"},"
      + "{\"name\":\"genre\",\"type\":\"string\",\"default\":\"unknown\"}]}");

  @TempDir Path dir;
  private SchemaRegistry registry;
  private int v1;
  private int v2;

  @BeforeEach
  public void register() {
    registry = SchemaRegistry.at(dir);
    registry.setMode("songs", CompatibilityMode.FULL);
    v1 = registry.register("songs", V1).id();
    v2 = registry.register("songs", V2).id();
  }

  private static GenericRecord song(Schema schema, String id, String title, String field, String value) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("id", id);
    r.put("title", title);
    r.put(field, value);
    return r;
  }

  @Test
  public void recordsCarryTheMagicByteAndTheirWriterSchemasId() {
    byte[] bytes = WireFormat.encode(v2, song(V2, "s1", "Blue", "genre", "jazz"));
    assertEquals(0, bytes[0]);
    assertArrayEquals(new byte[] {0, 0, 0, (byte) v2}, Arrays.copyOfRange(bytes, 1, 5));
    assertEquals(v2, WireFormat.schemaId(bytes));
  }

  @Test
  public void aConsumerOnTheOldVersionReadsTheNewVersionsRecords() {
    WireFormat.Reader old = new WireFormat.Reader(registry, V1);
    GenericRecord read = old.read(WireFormat.encode(v2, song(V2, "s1", "Blue", "genre", "jazz")));
    assertEquals("s1", read.get("id").toString());
    assertEquals("Blue", read.get("title").toString());
    assertNull(read.get("mood"), "the removed optional field reads as its default");
    assertFalse(read.getSchema().getFields().stream().anyMatch(f -> f.name().equals("genre")));
  }

  @Test
  public void aConsumerOnTheNewVersionReadsTheOldVersionsRecords() {
    WireFormat.Reader current = new WireFormat.Reader(registry, V2);
    GenericRecord fromV1 = current.read(WireFormat.encode(v1, song(V1, "s2", "Red", "mood", "calm")));
    assertEquals("unknown", fromV1.get("genre").toString(), "the added field reads as its default");
    GenericRecord fromV2 = current.read(WireFormat.encode(v2, song(V2, "s3", "Gold", "genre", "pop")));
    assertEquals("pop", fromV2.get("genre").toString());
  }

  @Test
  public void badBytesAreRefusedWithAReason() {
    WireFormat.Reader reader = new WireFormat.Reader(registry, V2);
    byte[] good = WireFormat.encode(v2, song(V2, "s1", "Blue", "genre", "jazz"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> reader.read(new byte[] {0, 0}))
        .getMessage(), containsString("2 bytes, fewer than its 5-byte header"));
    byte[] json = "{\"id\":\"s1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(assertThrows(IllegalArgumentException.class, () -> reader.read(json)).getMessage(),
        containsString("first byte 123, not the magic byte 0"));
    byte[] unknown = good.clone();
    unknown[4] = 99;
    assertThat(assertThrows(IllegalArgumentException.class, () -> reader.read(unknown)).getMessage(),
        containsString("schema id 99 is not in the registry"));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    assertThat(assertThrows(IllegalArgumentException.class, () -> reader.read(truncated)).getMessage(),
        containsString("schema id " + v2 + ": the record does not decode with its writer schema"));
    byte[] longer = Arrays.copyOf(good, good.length + 2);
    assertThat(assertThrows(IllegalArgumentException.class, () -> reader.read(longer)).getMessage(),
        containsString("bytes left over after the record"));
    assertEquals("jazz", reader.read(good).get("genre").toString(), "the reader keeps working");
  }
}
