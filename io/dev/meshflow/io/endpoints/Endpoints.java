package dev.meshflow.io.endpoints;

import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.console.ConsoleSink;
import dev.meshflow.io.duckdb.DuckDbSink;
import dev.meshflow.io.file.FileSink;
import dev.meshflow.io.file.FileSource;
import dev.meshflow.io.generator.GeneratorSource;
import dev.meshflow.io.kafka.KafkaSink;
import dev.meshflow.io.kafka.KafkaSource;
import dev.meshflow.io.kinesis.KinesisSource;
import dev.meshflow.io.mesh.consumer.MeshProduct;
import dev.meshflow.io.mesh.consumer.MeshSource;
import dev.meshflow.io.postgres.PostgresSink;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Resolves {@code --source} and {@code --sink} URIs. Adding an endpoint is one class plus one line
 * here.
 */
public final class Endpoints {
  private static final Map<String, BiFunction<EndpointUri, Boolean, RecordSource>> SOURCES =
      new LinkedHashMap<>();
  private static final Map<String, Function<EndpointUri, TableSink>> SINKS = new LinkedHashMap<>();

  static {
    SOURCES.put(GeneratorSource.SCHEME, GeneratorSource::from);
    SOURCES.put(FileSource.SCHEME, FileSource::from);
    SOURCES.put(KafkaSource.SCHEME, KafkaSource::from);
    SOURCES.put(KinesisSource.SCHEME, KinesisSource::from);
    SOURCES.put(MeshProduct.SCHEME, MeshSource::from);
    SINKS.put(DuckDbSink.SCHEME, DuckDbSink::from);
    SINKS.put(PostgresSink.SCHEME, PostgresSink::from);
    SINKS.put("jdbc", PostgresSink::from);
    SINKS.put(KafkaSink.SCHEME, KafkaSink::from);
    SINKS.put(FileSink.SCHEME, FileSink::from);
    SINKS.put(ConsoleSink.SCHEME, ConsoleSink::from);
  }

  private Endpoints() {}

  /** @param streaming whether the run is in streaming mode (unbounded where the source can be) */
  public static RecordSource source(String uri, boolean streaming) {
    return source("source", uri, streaming);
  }

  /** A source given by an option other than {@code --source}; its messages name that option. */
  public static RecordSource source(String option, String uri, boolean streaming) {
    EndpointUri parsed = EndpointUri.parse(option, uri);
    BiFunction<EndpointUri, Boolean, RecordSource> factory = SOURCES.get(parsed.scheme());
    if (factory == null) {
      throw new IllegalArgumentException(
          parsed.option() + ": unknown scheme '" + parsed.scheme() + "'; accepted: "
              + String.join(", ", SOURCES.keySet()));
    }
    return factory.apply(parsed, streaming);
  }

  public static TableSink sink(String uri) {
    EndpointUri parsed = EndpointUri.parse("sink", uri);
    Function<EndpointUri, TableSink> factory = SINKS.get(parsed.scheme());
    if (factory == null) {
      throw new IllegalArgumentException(
          "--sink=" + uri + ": unknown scheme '" + parsed.scheme() + "'; accepted: "
              + String.join(", ", SINKS.keySet()));
    }
    return factory.apply(parsed);
  }
}
