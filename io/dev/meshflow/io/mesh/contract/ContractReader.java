package dev.meshflow.io.mesh.contract;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.meshflow.io.mesh.registry.CompatibilityMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a data contract (ODCS v3 YAML) and checks it with meshflow's own rules: first against
 * meshflow's contract schema ({@code dev/meshflow/mesh/contract.schema.json}, a reduced JSON Schema
 * of ODCS), then what a schema cannot say, such as a physical type that does not fit the logical
 * one. The first problem, in file order, is reported as {@code FILE:LINE: FIELD: what is wrong}.
 */
public final class ContractReader {
  private static final YAMLFactory YAML = YAMLFactory.builder().build();
  private static final ObjectMapper MAPPER = new ObjectMapper(YAML);
  private static final String SCHEMA_RESOURCE = "/dev/meshflow/mesh/contract.schema.json";
  private static final Map<String, List<String>> PHYSICAL_TYPES = Map.of(
      "string", List.of("string"),
      "integer", List.of("long", "int"),
      "number", List.of("double", "float"),
      "boolean", List.of("boolean"),
      "date", List.of("date"),
      "timestamp", List.of("timestamp-millis", "timestamp-micros"));
  /** What each port type needs, besides its server name. */
  private static final Map<String, List<String>> PORT_SETTINGS = Map.of(
      "kafka", List.of("host", "topic"),
      "kinesis", List.of("stream"),
      "postgres", List.of("host", "port", "database", "schema", "table"),
      "postgresql", List.of("host", "port", "database", "schema", "table"),
      "duckdb", List.of("database", "table"),
      "local", List.of("path", "format"));
  private static final List<String> SERVER_KEYS =
      List.of("host", "port", "database", "schema", "path", "region", "format");

  private static final Pattern FIELD_AT = Pattern.compile("/schema/\\d+/properties/\\d+");

  private static volatile JsonSchema contractSchema;

  private ContractReader() {}

  public static DataContract read(Path file) {
    try {
      return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read contract " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses and checks a contract; {@code file} names it in messages. */
  public static DataContract parse(String file, String yaml) {
    Map<String, Integer> lines = new HashMap<>();
    JsonNode root;
    try {
      root = MAPPER.readTree(yaml);
      indexLines(yaml, lines);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new ContractException(file, at == null ? 1 : Math.max(1, at.getLineNr()), "",
          "not YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new ContractException(file, 1, "", "a contract is a YAML mapping (apiVersion: v3.1.0 ...)");
    }
    Located at = new Located(file, lines, root);
    List<ValidationMessage> problems = new ArrayList<>(schema().validate(root));
    if (!problems.isEmpty()) {
      problems.sort(Comparator.comparingInt((ValidationMessage m) -> at.line(pointer(m.getInstanceLocation())))
          .thenComparing(m -> m.getInstanceLocation().toString()));
      ValidationMessage first = problems.get(0);
      String where = pointer(first.getInstanceLocation());
      String more = problems.size() == 1 ? "" : " (and " + (problems.size() - 1) + " more)";
      throw at.problem(where, withoutLocation(first) + more);
    }
    return build(root, at, file, yaml);
  }

  private static DataContract build(JsonNode root, Located at, String file, String yaml) {
    JsonNode object = root.path("schema").get(0);
    List<ContractField> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int keys = 0;
    for (int i = 0; i < object.path("properties").size(); i++) {
      String where = "/schema/0/properties/" + i;
      ContractField field = field(object.path("properties").get(i), where, at);
      if (!names.add(field.name())) {
        throw at.problem(where + "/name", "field '" + field.name() + "' is defined twice");
      }
      if (field.primaryKey() && ++keys > 1) {
        throw at.problem(where + "/primaryKey", "a product has one key field; '" + field.name()
            + "' is the second");
      }
      fields.add(field);
    }
    List<OutputPort> ports = new ArrayList<>();
    for (int i = 0; i < root.path("servers").size(); i++) {
      ports.add(port(root.path("servers").get(i), "/servers/" + i, at));
    }
    Map<String, Duration> sla = new HashMap<>();
    for (int i = 0; i < root.path("slaProperties").size(); i++) {
      JsonNode p = root.path("slaProperties").get(i);
      String property = p.path("property").asText();
      if (property.equals("freshness") || property.equals("allowedLateness")) {
        sla.put(property, duration(p, "/slaProperties/" + i, at));
      }
    }
    CompatibilityMode mode = CompatibilityMode.DEFAULT;
    for (int i = 0; i < root.path("customProperties").size(); i++) {
      JsonNode p = root.path("customProperties").get(i);
      if (p.path("property").asText().equals("compatibility")) {
        try {
          mode = CompatibilityMode.parse(p.path("value").asText());
        } catch (IllegalArgumentException e) {
          throw at.problem("/customProperties/" + i + "/value", e.getMessage());
        }
      }
    }
    JsonNode description = root.path("description");
    return new DataContract(root.path("name").asText(), root.path("id").asText(),
        root.path("version").asText(), root.path("status").asText(), root.path("domain").asText(),
        root.path("team").path("name").asText(), description.path("purpose").asText(""),
        description.path("usage").asText(""), fields, ports, sla.get("freshness"),
        sla.get("allowedLateness"), mode, file, yaml);
  }

  private static ContractField field(JsonNode f, String where, Located at) {
    String logical = f.path("logicalType").asText();
    List<String> fits = PHYSICAL_TYPES.get(logical);
    String physical = f.path("physicalType").asText(fits.get(0));
    if (!fits.contains(physical)) {
      throw at.problem(where + "/physicalType", "a " + logical + " field is stored as "
          + String.join(" or ", fits) + ", not " + physical);
    }
    boolean required = f.path("required").asBoolean(false);
    boolean primaryKey = f.path("primaryKey").asBoolean(false);
    if (primaryKey && !required) {
      throw at.problem(where + "/required", "the key field must be required: true");
    }
    JsonNode options = f.path("logicalTypeOptions");
    BigDecimal min = bound(options, "minimum", logical, where, at);
    BigDecimal max = bound(options, "maximum", logical, where, at);
    if (min != null && max != null && min.compareTo(max) > 0) {
      throw at.problem(where + "/logicalTypeOptions/minimum", "minimum " + min
          + " is above maximum " + max);
    }
    String pattern = options.has("pattern") ? options.get("pattern").asText() : null;
    if (pattern != null) {
      if (!logical.equals("string")) {
        throw at.problem(where + "/logicalTypeOptions/pattern", "a pattern applies to string fields");
      }
      try {
        Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        throw at.problem(where + "/logicalTypeOptions/pattern", "not a regular expression: "
            + e.getDescription());
      }
    }
    Integer maxLength = options.has("maxLength") ? options.get("maxLength").asInt() : null;
    List<String> allowed = new ArrayList<>();
    for (JsonNode rule : f.path("quality")) {
      if (rule.path("metric").asText().equals("invalidValues")) {
        rule.path("arguments").path("validValues").forEach(v -> allowed.add(v.asText()));
      }
    }
    boolean pii = f.path("classification").asText("").equalsIgnoreCase("pii");
    String delivery = piiDelivery(f, pii, logical, primaryKey, where, at);
    return new ContractField(f.path("name").asText(), logical, physical, required, primaryKey, pii,
        f.path("description").asText(""), allowed, min, max, maxLength, pattern, delivery);
  }

  /**
   * A PII field's {@code piiDelivery} custom property: hash (the default) or drop. A hash is a
   * string, so only string fields can be hashed; a key is needed to join, so it cannot be dropped.
   */
  private static String piiDelivery(JsonNode f, boolean pii, String logical, boolean primaryKey,
      String where, Located at) {
    JsonNode custom = f.path("customProperties");
    for (int i = 0; i < custom.size(); i++) {
      if (!custom.get(i).path("property").asText().equals("piiDelivery")) {
        continue;
      }
      String value = custom.get(i).path("value").asText();
      String path = where + "/customProperties/" + i + "/value";
      if (!pii) {
        throw at.problem(path, "piiDelivery applies to a field with classification: pii");
      }
      if (!value.equals(ContractField.HASH) && !value.equals(ContractField.DROP)) {
        throw at.problem(path, "piiDelivery is hash or drop, not '" + value + "'");
      }
      if (value.equals(ContractField.HASH) && !logical.equals("string")) {
        throw at.problem(path, "only a string field can be delivered hashed; use drop");
      }
      if (value.equals(ContractField.DROP) && primaryKey) {
        throw at.problem(path, "the key field cannot be dropped; use hash");
      }
      return value;
    }
    if (pii && primaryKey && !logical.equals("string")) {
      throw at.problem(where + "/classification", "a pii key field must be a string, to be hashed");
    }
    return pii ? (logical.equals("string") ? ContractField.HASH : ContractField.DROP) : null;
  }

  private static BigDecimal bound(JsonNode options, String name, String logical, String where,
      Located at) {
    if (!options.has(name)) {
      return null;
    }
    if (!logical.equals("integer") && !logical.equals("number")) {
      throw at.problem(where + "/logicalTypeOptions/" + name,
          "meshflow checks " + name + " on integer and number fields only");
    }
    JsonNode v = options.get(name);
    if (!v.isNumber()) {
      throw at.problem(where + "/logicalTypeOptions/" + name, "'" + v.asText() + "' is not a number");
    }
    return v.decimalValue();
  }

  private static OutputPort port(JsonNode s, String where, Located at) {
    String type = s.path("type").asText();
    Map<String, String> settings = new LinkedHashMap<>();
    for (String key : SERVER_KEYS) {
      if (s.has(key)) {
        settings.put(key, s.get(key).asText());
      }
    }
    for (JsonNode p : s.path("customProperties")) {
      settings.put(p.path("property").asText(), p.path("value").asText());
    }
    for (String needed : PORT_SETTINGS.get(type)) {
      if (!settings.containsKey(needed)) {
        boolean custom = !SERVER_KEYS.contains(needed);
        throw at.problem(where, "a " + type + " port needs " + (custom
            ? "a customProperties entry '" + needed + "'" : "'" + needed + "'"));
      }
    }
    return new OutputPort(s.path("server").asText(), type, settings);
  }

  private static Duration duration(JsonNode p, String where, Located at) {
    JsonNode value = p.path("value");
    if (!value.isNumber() || value.asLong() < 0) {
      throw at.problem(where + "/value", "'" + value.asText() + "' is not a whole number of "
          + p.path("unit").asText("units"));
    }
    if (!p.has("unit")) {
      throw at.problem(where, p.path("property").asText() + " needs a unit: ms, s, m, h or d");
    }
    long n = value.asLong();
    switch (p.path("unit").asText()) {
      case "ms":
        return Duration.ofMillis(n);
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      default:
        return Duration.ofDays(n);
    }
  }

  /** A JSON pointer (/schema/0/name) for a validator's path ($.schema[0].name). */
  private static String pointer(JsonNodePath path) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < path.getNameCount(); i++) {
      s.append('/').append(path.getElement(i));
    }
    return s.toString();
  }

  /** The validator's message without the location it starts with; enums list their values. */
  private static String withoutLocation(ValidationMessage m) {
    if ("enum".equals(m.getType()) && m.getInstanceNode() != null && m.getArguments().length > 0) {
      String allowed = String.valueOf(m.getArguments()[0]).replaceAll("^\\[|\\]$", "");
      return "'" + m.getInstanceNode().asText() + "' is not one of " + allowed;
    }
    String text = m.getMessage();
    String prefix = m.getInstanceLocation().toString() + ": ";
    return text.startsWith(prefix) ? text.substring(prefix.length()) : text;
  }

  private static JsonSchema schema() {
    JsonSchema s = contractSchema;
    if (s == null) {
      try (InputStream in = ContractReader.class.getResourceAsStream(SCHEMA_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + SCHEMA_RESOURCE);
        }
        s = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909).getSchema(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      contractSchema = s;
    }
    return s;
  }

  /** Records the line of every key and array element, by JSON pointer. */
  private static void indexLines(String yaml, Map<String, Integer> lines) throws JsonProcessingException {
    try (JsonParser p = YAML.createParser(yaml)) {
      JsonToken t = p.nextToken();
      if (t != null) {
        lines.put("", p.currentTokenLocation().getLineNr());
        walk(p, t, "", lines);
      }
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void walk(JsonParser p, JsonToken t, String at, Map<String, Integer> lines)
      throws IOException {
    if (t == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String child = at + "/" + p.currentName();
        lines.put(child, p.currentTokenLocation().getLineNr());
        walk(p, p.nextToken(), child, lines);
      }
    } else if (t == JsonToken.START_ARRAY) {
      int i = 0;
      for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
        String child = at + "/" + i++;
        lines.put(child, p.currentTokenLocation().getLineNr());
        walk(p, e, child, lines);
      }
    }
  }

  /** A contract's lines by JSON pointer, to say where a problem is. */
  private record Located(String file, Map<String, Integer> lines, JsonNode root) {
    int line(String pointer) {
      for (String p = pointer; ; p = p.substring(0, p.lastIndexOf('/'))) {
        Integer line = lines.get(p);
        if (line != null) {
          return line;
        }
        if (p.isEmpty()) {
          return 1;
        }
      }
    }

    ContractException problem(String pointer, String what) {
      String field = pointer.isEmpty() ? "" : pointer.substring(1)
          .replaceAll("/(\\d+)(?=/|$)", "[$1]").replace('/', '.');
      java.util.regex.Matcher property = FIELD_AT.matcher(pointer);
      if (property.lookingAt()) {
        String name = root.at(property.group()).path("name").asText("");
        field += name.isEmpty() ? "" : " (field " + name + ")";
      }
      return new ContractException(file, line(pointer), field, what);
    }
  }
}
