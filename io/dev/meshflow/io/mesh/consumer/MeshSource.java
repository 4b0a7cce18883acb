package dev.meshflow.io.mesh.consumer;

import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.kafka.KafkaSource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code --source=mesh://PRODUCT?...}: a data product's stream as a pipeline's main input, found
 * through the catalog. It is the product's Kafka port read as any {@code kafka://} source, so the
 * Kafka parameters apply ({@code start}, {@code group}, {@code maxRecords}, {@code until=caughtUp},
 * ...), next to the product's own ({@code catalog}, {@code bootstrap}, {@code topic}). The
 * pipelines parse JSON lines, so the product must publish JSON (Interactions does); Avro
 * products are reference data, read with {@code --catalog} or {@code --attributesFrom}.
 */
public final class MeshSource {
  /** The product's own parameters; the kafka source's apply too. */
  public static final Set<String> PARAMS = Set.of("catalog", "bootstrap", "topic");

  private MeshSource() {}

  public static KafkaSource from(EndpointUri uri, boolean streaming) {
    Map<String, String> mesh = new LinkedHashMap<>();
    Map<String, String> kafka = new LinkedHashMap<>();
    uri.params().forEach((k, v) -> (PARAMS.contains(k) ? mesh : kafka).put(k, v));
    Set<String> unknown = kafka.keySet().stream().filter(k -> !KafkaSource.PARAMS.contains(k))
        .collect(Collectors.toSet());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(uri.option() + ": unknown parameter(s) " + unknown + "; a mesh source"
          + " takes " + PARAMS + " and the kafka source's " + KafkaSource.PARAMS);
    }
    String product = uri.body().replaceFirst("^//", "");
    MeshProduct resolved = MeshProduct.resolve(uri.option(), MeshProduct.SCHEME + "://" + product + query(mesh));
    if (resolved.topic() == null) {
      throw new IllegalArgumentException(uri.option() + ": mesh://" + product + " has no kafka port to read");
    }
    if (!resolved.topicFormat().equals("json")) {
      throw new IllegalArgumentException(uri.option() + ": mesh://" + product + " publishes "
          + resolved.topicFormat() + "; a pipeline's source must be a JSON-lines product such as"
          + " mesh://interactions (read " + product + " as reference data: --catalog or --attributesFrom)");
    }
    return KafkaSource.from(EndpointUri.parse(uri.option(), KafkaSource.SCHEME + "://" + resolved.bootstrap()
        + "/" + resolved.topic() + query(kafka)), streaming);
  }

  private static String query(Map<String, String> params) {
    return params.isEmpty() ? "" : params.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&", "?", ""));
  }
}
