package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshflow.io.mesh.registry.CompatibilityMode;
import dev.meshflow.io.mesh.registry.SchemaRegistry;
import dev.meshflow.io.mesh.registry.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * What a consumer pays to decode a product's records: Avro in the Confluent wire format, written
 * with version 1 of the schema and read as version 2 (schema resolution: a field added with a
 * default, an optional one removed), against the same records as JSON parsed by Jackson into a
 * tree. Rounds alternate the two; the table keeps each one's best round. Run with
 * {@code mvn -B -Pbenchmarks test -Dtest=MeshDecodeBenchmark} ({@code -Dbench.mesh.records=200000
 * -Dbench.mesh.rounds=9}); the table is printed and written to target/benchmarks/mesh-decode.md.
 */
public class MeshDecodeBenchmark {
  private static final int RECORDS = Integer.getInteger("bench.mesh.records", 200_000);
  private static final int ROUNDS = Integer.getInteger("bench.mesh.rounds", 9);
  private static final Schema V1 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Song\","
      + "\"fields\":[{\"name\":\"song_id\",\"type\":\"string\"},{\"name\":\"title\",\"type\":\"string\"},"
      + "{\"name\":\"artist\",\"type\":\"string\"},{\"name\":\"genre\",\"type\":\"string\"},"
      + "{\"name\":\"duration_ms\",\"type\":\"long\"},{\"name\":\"release_date\",\"type\":\"string\"},"
      + "{\"name\":\"mood\",\"type\":[\"null\",\"string\"],\"default\":null}]}");
  private static final Schema V2 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Song\","
      + "\"fields\":[{\"name\":\"song_id\",\"type\":\"string\"},{\"name\":\"title\",\"type\":\"string\"},"
      + "{\"name\":\"artist\",\"type\":\"string\"},{\"name\":\"genre\",\"type\":\"string\"},"
      + "{\"name\":\"duration_ms\",\"type\":\"long\"},{\"name\":\"release_date\",\"type\":\"string\"},"
      + "{\"name\":\"explicit\",\"type\":\"boolean\",\"default\":false}]}");

  @Test
  public void avroWithSchemaResolutionAgainstJson() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-registry");
    SchemaRegistry registry = SchemaRegistry.at(dir);
    registry.setMode("songs", CompatibilityMode.FULL);
    int v1 = registry.register("songs", V1).id();
    registry.register("songs", V2);

    ObjectMapper json = new ObjectMapper();
    Random random = new Random(7);
    String[] genres = {"pop", "rock", "jazz", "hip-hop", "classical", "electronic"};
    List<byte[]> avro = new ArrayList<>();
    List<byte[]> text = new ArrayList<>();
    long avroBytes = 0;
    long jsonBytes = 0;
    for (int i = 0; i < RECORDS; i++) {
      GenericRecord r = new GenericData.Record(V1);
      r.put("song_id", String.format("song-%06d", i));
      r.put("title", "Title " + Integer.toString(random.nextInt(1 << 24), 36));
      r.put("artist", "Artist " + random.nextInt(5_000));
      r.put("genre", genres[random.nextInt(genres.length)]);
      r.put("duration_ms", 60_000L + random.nextInt(400_000));
      r.put("release_date", String.format("20%02d-%02d-%02d", random.nextInt(26), 1 + random.nextInt(12), 1 + random.nextInt(28)));
      r.put("mood", random.nextBoolean() ? null : "calm");
      byte[] a = WireFormat.encode(v1, r);
      Map<String, Object> m = new LinkedHashMap<>();
      for (Schema.Field f : V1.getFields()) {
        m.put(f.name(), r.get(f.name()));
      }
      byte[] j = json.writeValueAsBytes(m);
      avro.add(a);
      text.add(j);
      avroBytes += a.length;
      jsonBytes += j.length;
    }

    WireFormat.Reader reader = new WireFormat.Reader(registry, V2);
    double bestAvro = Double.MAX_VALUE;
    double bestJson = Double.MAX_VALUE;
    for (int round = 0; round < ROUNDS; round++) {
      long start = System.nanoTime();
      long durations = 0;
      for (byte[] a : avro) {
        durations += (Long) reader.read(a).get("duration_ms");
      }
      bestAvro = Math.min(bestAvro, (System.nanoTime() - start) / 1e9);
      start = System.nanoTime();
      long jsonDurations = 0;
      for (byte[] j : text) {
        JsonNode node = json.readTree(j);
        jsonDurations += node.get("duration_ms").asLong();
      }
      bestJson = Math.min(bestJson, (System.nanoTime() - start) / 1e9);
      assertEquals(jsonDurations, durations, "both decodings read the same records");
    }
    BenchmarkReport.publish("mesh-decode.md", String.join("\n", List.of(
        "Decoding " + String.format("%,d", RECORDS) + " records, best of " + ROUNDS + " alternating rounds; " + BenchmarkReport.machine(), "",
        "| decoding " + String.format("%,d", RECORDS) + " song records | bytes per record | best round s | records/s | vs JSON |",
        "|---|---:|---:|---:|---:|",
        String.format("| JSON, Jackson tree | %.1f | %.3f | %,.0f | 1.00× |", (double) jsonBytes / RECORDS, bestJson, RECORDS / bestJson),
        String.format("| Avro wire format, written as v1, read as v2 | %.1f | %.3f | %,.0f | %.2f× |", (double) avroBytes / RECORDS, bestAvro, RECORDS / bestAvro, bestJson / bestAvro))));
  }
}
