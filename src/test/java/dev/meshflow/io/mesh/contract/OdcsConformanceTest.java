package dev.meshflow.io.mesh.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whatever meshflow ships or accepts is a valid Open Data Contract: each contract validates against
 * the published ODCS v3.1.0 JSON Schema, kept unchanged in the shared specifications
 * ({@code ../shared/specs/}, found from the project upwards).
 */
public class OdcsConformanceTest {
  private static final String SPEC = "shared/specs/odcs-json-schema-v3.1.0.json";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static JsonSchema odcs;

  @BeforeAll
  static void loadThePublishedSchema() throws Exception {
    Path spec = null;
    for (Path dir = Path.of("").toAbsolutePath(); dir != null && spec == null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(SPEC))) {
        spec = dir.resolve(SPEC);
      }
    }
    if (spec == null) {
      throw new IllegalStateException("the published ODCS schema (" + SPEC + ") is in no directory"
          + " above " + Path.of("").toAbsolutePath());
    }
    try (InputStream in = Files.newInputStream(spec)) {
      odcs = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909).getSchema(in);
    }
  }

  private static Set<ValidationMessage> odcsProblems(String yaml) throws Exception {
    JsonNode contract = YAML.readTree(yaml);
    return odcs.validate(contract);
  }

  @Test
  public void everyContractMeshflowShipsOrAcceptsIsAnOpenDataContract() throws Exception {
    Map<String, String> accepted = new LinkedHashMap<>();
    for (String name : MeshCatalog.SHIPPED) {
      accepted.put(name, Contracts.shipped(name));
    }
    accepted.put("songs 1.1.0 (tests' compatible change)", Contracts.songsWithExplicitFlag());
    accepted.put("songs 2.0.0 (tests' breaking change)", Contracts.songsBreaking());
    for (Map.Entry<String, String> e : accepted.entrySet()) {
      ContractReader.parse(e.getKey(), e.getValue()); // meshflow accepts it
      assertEquals(Set.of(), odcsProblems(e.getValue()), e.getKey());
    }
  }

  @Test
  public void thePublishedSchemaRefusesWhatItShould() throws Exception {
    // The check can fail: a contract without a status, or with an unknown server type, is not ODCS.
    String noStatus = Contracts.edit(Contracts.shipped("songs"), "status: active\n", "");
    assertFalse(odcsProblems(noStatus).isEmpty());
    String badServer = Contracts.edit(Contracts.shipped("songs"), "type: postgres", "type: ftp");
    assertFalse(odcsProblems(badServer).isEmpty());
  }
}
