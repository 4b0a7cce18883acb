package dev.meshflow.io.mesh.contract;

import static dev.meshflow.io.mesh.contract.Contracts.edit;
import static dev.meshflow.io.mesh.contract.Contracts.shipped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.registry.CompatibilityMode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Contracts are read with meshflow's rules; each broken one is named in one line: file, line, field, what. */
public class ContractReaderTest {

  private static ContractException broken(String yaml) {
    return assertThrows(ContractException.class, () -> ContractReader.parse("songs.odcs.yaml", yaml));
  }

  /** The 1-based line of the first line containing {@code text}. */
  private static int lineOf(String yaml, String text) {
    List<String> lines = yaml.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i + 1;
      }
    }
    throw new AssertionError("no line with " + text);
  }

  @Test
  public void theShippedContractsReadAsTheirProductsAreDescribed() {
    for (String name : MeshCatalog.SHIPPED) {
      DataContract c = ContractReader.parse(name + ".odcs.yaml", shipped(name));
      assertEquals(name, c.name());
      assertEquals(name, c.domain());
      assertTrue(c.key().isPresent(), name + " has a key field");
      assertTrue(c.port("kafka").isPresent(), name + " is published on a topic");
      assertEquals(CompatibilityMode.BACKWARD, c.compatibility());
    }
    DataContract songs = ContractReader.parse("songs.odcs.yaml", shipped("songs"));
    assertEquals("song_id", songs.key().orElseThrow().name());
    assertEquals(List.of("pop", "rock", "hiphop", "jazz", "classical", "electronic"),
        songs.field("genre").orElseThrow().allowedValues());
    assertEquals(new BigDecimal(1000), songs.field("duration_ms").orElseThrow().minimum());
    assertEquals("songs", songs.port("kafka").orElseThrow().setting("topic"));
    assertEquals("127.0.0.1:9092", songs.port("kafka").orElseThrow().setting("host"));
    assertEquals(Duration.ofSeconds(5), songs.freshness());
    assertEquals(Duration.ofMinutes(10), songs.allowedLateness());
    DataContract users = ContractReader.parse("users.odcs.yaml", shipped("users"));
    assertTrue(users.field("email").orElseThrow().pii());
    assertFalse(users.field("country").orElseThrow().pii());
  }

  @Test
  public void aContractBecomesAnAvroRecordWhoseOptionalFieldsDefaultToNull() {
    Schema songs = ContractAvro.of(ContractReader.parse("songs.odcs.yaml", shipped("songs")));
    assertEquals("dev.meshflow.mesh.Songs", songs.getFullName());
    assertEquals(Schema.Type.STRING, songs.getField("song_id").schema().getType());
    assertEquals(Schema.Type.LONG, songs.getField("duration_ms").schema().getType());
    Schema.Field released = songs.getField("release_date");
    assertEquals(Schema.Type.UNION, released.schema().getType());
    assertTrue(released.hasDefaultValue());
    assertEquals("date", released.schema().getTypes().get(1).getLogicalType().getName());
    Schema users = ContractAvro.of(ContractReader.parse("users.odcs.yaml", shipped("users")));
    assertEquals("pii", users.getField("email").getProp("classification"));
    Schema interactions = ContractAvro.of(ContractReader.parse("i.odcs.yaml", shipped("interactions")));
    assertEquals("timestamp-millis", interactions.getField("ts").schema().getLogicalType().getName());
  }

  @Test
  public void aMissingFieldIsNamedWithTheLineOfItsParent() {
    String yaml = edit(shipped("songs"), "domain: songs\n", "");
    ContractException e = broken(yaml);
    assertEquals("songs.odcs.yaml:2: required property 'domain' not found", e.getMessage());
    String noType = edit(shipped("songs"), "      - name: title\n        logicalType: string\n",
        "      - name: title\n");
    e = broken(noType);
    assertEquals("songs.odcs.yaml:" + lineOf(noType, "- name: title")
        + ": schema[0].properties[1] (field title): required property 'logicalType' not found",
        e.getMessage());
  }

  @Test
  public void aWrongTypeIsNamedWithItsLineAndField() {
    String yaml = edit(shipped("songs"), "        required: true\n        description: The performing artist.",
        "        required: yes please\n        description: The performing artist.");
    ContractException e = broken(yaml);
    assertEquals(lineOf(yaml, "yes please"), e.line());
    assertEquals("schema[0].properties[2].required (field artist)", e.field());
    assertEquals("songs.odcs.yaml:" + e.line() + ": schema[0].properties[2].required (field artist):"
        + " string found, boolean expected", e.getMessage());
    String unknownType = edit(shipped("songs"), "logicalType: integer", "logicalType: integr");
    assertEquals("songs.odcs.yaml:" + lineOf(unknownType, "integr") + ": schema[0].properties[4]"
        + ".logicalType (field duration_ms): 'integr' is not one of string, integer, number,"
        + " boolean, date, timestamp", broken(unknownType).getMessage());
  }

  @Test
  public void anUnknownPortTypeIsRefused() {
    String yaml = edit(shipped("songs"), "type: postgres", "type: ftp");
    assertEquals("songs.odcs.yaml:" + lineOf(yaml, "type: ftp") + ": servers[1].type: 'ftp' is not"
        + " one of kafka, kinesis, postgres, postgresql, duckdb, local", broken(yaml).getMessage());
    String noTopic = edit(shipped("songs"),
        "    customProperties:\n      - property: topic\n        value: songs\n", "");
    ContractException e = broken(noTopic);
    assertEquals("servers[0]", e.field());
    assertEquals(lineOf(noTopic, "- server: songs-stream"), e.line());
    assertTrue(e.getMessage().endsWith("a kafka port needs a customProperties entry 'topic'"), e.getMessage());
  }

  @Test
  public void whatASchemaCannotSayIsCheckedInCode() {
    String physical = edit(shipped("songs"), "physicalType: long", "physicalType: string");
    assertTrue(broken(physical).getMessage().endsWith("(field duration_ms): a integer field is"
        + " stored as long or int, not string"), broken(physical).getMessage());
    String twice = edit(shipped("songs"), "- name: artist", "- name: title");
    assertTrue(broken(twice).getMessage().endsWith("field 'title' is defined twice"));
    String range = edit(shipped("songs"), "minimum: 1000", "minimum: 9999999");
    assertTrue(broken(range).getMessage().endsWith("minimum 9999999 is above maximum 3600000"));
    String regex = edit(shipped("songs"), "\"^song-[0-9]{4,}$\"", "\"^song-[0-9\"");
    assertTrue(broken(regex).getMessage().contains("not a regular expression"));
    String mode = edit(shipped("songs"), "value: BACKWARD", "value: SIDEWAYS");
    ContractException e = broken(mode);
    assertEquals(lineOf(mode, "SIDEWAYS"), e.line());
    assertEquals("customProperties[0].value", e.field());
    String unit = edit(shipped("songs"), "    value: 5\n    unit: s\n", "    value: 5\n");
    assertTrue(broken(unit).getMessage().endsWith("freshness needs a unit: ms, s, m, h or d"));
  }

  @Test
  public void textThatIsNotYamlSaysSoWithItsLine() {
    String yaml = edit(shipped("songs"), "status: active", "status: [active");
    ContractException e = broken(yaml);
    assertTrue(e.getMessage().startsWith("songs.odcs.yaml:"), e.getMessage());
    assertTrue(e.getMessage().contains("not YAML"), e.getMessage());
    assertEquals("songs.odcs.yaml:1: a contract is a YAML mapping (apiVersion: v3.1.0 ...)",
        broken("- just\n- a list\n").getMessage());
  }
}
