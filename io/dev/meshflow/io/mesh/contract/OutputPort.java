package dev.meshflow.io.mesh.contract;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where a product can be read: a contract's {@code servers} entry.
 *
 * @param server the port's name in the contract
 * @param type kafka, kinesis, postgres, duckdb or local
 * @param settings the server's details (host, port, database, schema, path, region, format) and
 *     its custom properties (topic, stream, table)
 */
public record OutputPort(String server, String type, Map<String, String> settings) {

  public OutputPort {
    settings = Map.copyOf(settings);
  }

  public String setting(String name) {
    return settings.get(name);
  }

  /** One line for people, e.g. {@code kafka 127.0.0.1:9092 topic songs (avro)}. */
  public String describe() {
    StringBuilder s = new StringBuilder(type);
    Map<String, String> shown = new TreeMap<>(settings);
    String format = shown.remove("format");
    for (String key : new String[] {"host", "port", "database", "schema", "path", "region"}) {
      String value = shown.remove(key);
      if (value != null) {
        s.append(' ').append(key.equals("host") || key.equals("path") ? "" : key + " ").append(value);
      }
    }
    shown.forEach((k, v) -> s.append(' ').append(k).append(' ').append(v));
    return format == null ? s.toString() : s + " (" + format + ")";
  }
}
