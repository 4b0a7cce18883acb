package dev.meshflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code ./meshflow endpoints} lists every endpoint with exactly the parameters it accepts, so the
 * listing cannot fall behind the code: a parameter added to an endpoint fails this test until it is
 * described.
 */
public class EndpointsHelpTest {
  @Test
  public void everyEndpointListsExactlyTheParametersItAccepts() {
    Map<EndpointsHelp.Entry, Set<String>> accepted = Map.ofEntries(
        Map.entry(EndpointsHelp.INTERACTIONS, GeneratorSource.PARAMS),
        Map.entry(EndpointsHelp.VEHICLES, GeneratorSource.VEHICLE_PARAMS),
        Map.entry(EndpointsHelp.CLICKS, GeneratorSource.CLICK_PARAMS),
        Map.entry(EndpointsHelp.FILE_SOURCE, FileSource.PARAMS),
        Map.entry(EndpointsHelp.KAFKA_SOURCE, KafkaSource.PARAMS),
        Map.entry(EndpointsHelp.KINESIS_SOURCE, KinesisSource.PARAMS),
        Map.entry(EndpointsHelp.MESH_SOURCE, MeshSource.PARAMS),
        Map.entry(EndpointsHelp.POSTGRES_SINK, PostgresSink.PARAMS),
        Map.entry(EndpointsHelp.KAFKA_SINK, KafkaSink.PARAMS),
        Map.entry(EndpointsHelp.FILE_SINK, FileSink.PARAMS),
        Map.entry(EndpointsHelp.DUCKDB_SINK, Set.of(DuckDbSink.CREATE_FOLDER)));
    accepted.forEach((entry, params) -> {
      List<String> listed = entry.paramNames();
      assertEquals(listed.size(), new HashSet<>(listed).size(), entry.form + " lists a parameter twice");
      assertEquals(params, new HashSet<>(listed), entry.form);
    });
    assertTrue(EndpointsHelp.CONSOLE_SINK.params.isEmpty());
  }

  @Test
  public void everySchemeIsListedOnTheSideItServes() {
    String text = printed();
    String sources = text.substring(0, text.indexOf("Sinks (--sink):"));
    String sinks = text.substring(text.indexOf("Sinks (--sink):"));
    for (String scheme : List.of(GeneratorSource.SCHEME + ":interactions", GeneratorSource.SCHEME + ":vehicles",
        GeneratorSource.SCHEME + ":clicks", FileSource.SCHEME + ":", KafkaSource.SCHEME + "://",
        KinesisSource.SCHEME + "://", MeshProduct.SCHEME + "://")) {
      assertTrue(sources.contains("\n  " + scheme), scheme);
    }
    for (String scheme : List.of(DuckDbSink.SCHEME + ":", PostgresSink.SCHEME + "://",
        KafkaSink.SCHEME + "://", FileSink.SCHEME + ":", ConsoleSink.SCHEME + ":")) {
      assertTrue(sinks.contains("\n  " + scheme), scheme);
    }
    for (String line : text.split("\n")) {
      assertTrue(line.length() <= 100, "over 100 columns: " + line);
    }
  }

  private static String printed() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    EndpointsHelp.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
