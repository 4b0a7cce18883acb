package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.sun.net.httpserver.HttpServer;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.services.KafkaBroker;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run emits OpenLineage events, START then COMPLETE or FAIL, to a file next to the warehouse
 * and to an HTTP backend (a real HTTP server here, receiving what Marquez would). Each event
 * validates against the published OpenLineage 2-0-2 schema and the facets meshflow uses
 * ({@code ../shared/specs/openlineage/}). The graph {@code ./meshflow lineage} draws for ingest
 * followed by interaction-analytics on one product's topic is the expected one.
 */
public class LineageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EVENTS = 3_000;
  @TempDir static Path dir;
  static HttpServer receiver;
  static final List<String> received = Collections.synchronizedList(new ArrayList<>());
  static JsonSchema core;
  static JsonSchema schemaFacet;
  static JsonSchema statisticsFacet;
  static JsonSchema errorFacet;

  @BeforeAll
  static void receiverAndSpecs() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/api/v1/lineage", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        received.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      exchange.sendResponseHeaders(201, -1);
      exchange.close();
    });
    receiver.start();
    Path specs = null;
    for (Path d = Path.of("").toAbsolutePath(); d != null && specs == null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("shared/specs/openlineage/OpenLineage.json"))) {
        specs = d.resolve("shared/specs/openlineage");
      }
    }
    assertTrue(specs != null, "the published OpenLineage schema (shared/specs/openlineage) is above " + Path.of("").toAbsolutePath());
    Path local = specs;
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
        b -> b.schemaMappers(m -> m.mapPrefix("https://openlineage.io/spec/2-0-2/", local.toUri().toString())));
    core = schema(factory, specs.resolve("OpenLineage.json"));
    schemaFacet = schema(factory, specs.resolve("facets/SchemaDatasetFacet.json"));
    statisticsFacet = schema(factory, specs.resolve("facets/OutputStatisticsOutputDatasetFacet.json"));
    errorFacet = schema(factory, specs.resolve("facets/ErrorMessageRunFacet.json"));
  }

  private static JsonSchema schema(JsonSchemaFactory factory, Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return factory.getSchema(in);
    }
  }

  @AfterAll
  static void stop() {
    receiver.stop(0);
  }

  /** The event, checked against the core schema and each facet schema it uses. */
  private static JsonNode valid(String text) throws Exception {
    JsonNode e = JSON.readTree(text);
    assertEquals(Set.of(), core.validate(e), text);
    assertEquals(Set.<ValidationMessage>of(), errorFacet.validate(e.path("run").path("facets")), text);
    for (JsonNode in : e.path("inputs")) {
      assertEquals(Set.<ValidationMessage>of(), schemaFacet.validate(in.path("facets")), text);
    }
    for (JsonNode out : e.path("outputs")) {
      assertEquals(Set.<ValidationMessage>of(), statisticsFacet.validate(out.path("outputFacets")), text);
    }
    return e;
  }

  private static List<String> types(List<JsonNode> events, String job) {
    return events.stream().filter(e -> e.path("job").path("name").asText().equals(job))
        .map(e -> e.path("eventType").asText()).toList();
  }

  @Test
  public void runsEmitValidEventsToAFileAndOverHttpAndTheGraphFollowsThem() throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "interactions-lineage";
    kafka.createTopic(topic, 1);
    kafka.produceEvenly(topic, GeneratedInput.records("generator:interactions?events=" + EVENTS + "&seed=11",
        EVENTS, (origin, payload) -> payload), 1);
    Path catalog = dir.resolve("catalog");
    MeshCatalog.init(catalog);
    Path warehouse = dir.resolve("warehouse/meshflow.duckdb");
    Files.createDirectories(warehouse.getParent());
    String http = "--lineageUrl=http://127.0.0.1:" + receiver.getAddress().getPort();

    CliRun ingest = CliRun.of(List.of("ingest", "--source=kafka://" + kafka.bootstrap() + "/" + topic
        + "?maxRecords=" + EVENTS, "--sink=duckdb:" + warehouse, http, "--progressSeconds=0"));
    assertEquals(Main.OK, ingest.code, ingest.err);
    assertThat(ingest.out, containsString("lineage       " + warehouse.getParent().resolve("lineage.jsonl")
        + " (2 events"));
    CliRun analytics = CliRun.of(List.of("interaction-analytics", "--source=mesh://interactions?catalog=" + catalog
        + "&bootstrap=" + kafka.bootstrap() + "&topic=" + topic + "&maxRecords=" + EVENTS,
        "--sink=duckdb:" + warehouse, http, "--progressSeconds=0"));
    assertEquals(Main.OK, analytics.code, analytics.err);
    // A run that fails while it runs: its sink's database does not answer.
    Path failedFile = dir.resolve("failed.jsonl");
    CliRun failed = CliRun.of(List.of("interaction-analytics", "--source=generator:interactions?events=200",
        "--sink=postgresql://127.0.0.1:1/postgres?user=postgres", "--lineageFile=" + failedFile, http,
        "--progressSeconds=0"));
    assertEquals(Main.FAILED, failed.code, failed.out);

    List<JsonNode> stored = new ArrayList<>();
    for (String line : Files.readAllLines(warehouse.getParent().resolve("lineage.jsonl"))) {
      stored.add(valid(line));
    }
    assertEquals(List.of("START", "COMPLETE"), types(stored, "ingest"));
    assertEquals(List.of("START", "COMPLETE"), types(stored, "interaction-analytics"));
    List<JsonNode> failedEvents = new ArrayList<>();
    for (String line : Files.readAllLines(failedFile)) {
      failedEvents.add(valid(line));
    }
    assertEquals(List.of("START", "FAIL"), types(failedEvents, "interaction-analytics"));
    assertThat(failedEvents.get(1).path("run").path("facets").path("errorMessage").path("message").asText(),
        containsString("127.0.0.1:1"));
    List<JsonNode> overHttp = new ArrayList<>();
    for (String body : received) {
      overHttp.add(valid(body));
    }
    assertEquals(List.of("START", "COMPLETE"), types(overHttp, "ingest"));
    assertEquals(List.of("START", "COMPLETE", "START", "FAIL"), types(overHttp, "interaction-analytics"));

    // interaction-analytics read the Interactions product: its topic, schema and schema id, and
    // wrote item_minute_stats with as many rows as the table holds.
    JsonNode complete = stored.get(3);
    JsonNode input = complete.path("inputs").get(0);
    assertEquals("kafka://" + kafka.bootstrap(), input.path("namespace").asText());
    assertEquals(topic, input.path("name").asText());
    assertEquals("interactions", input.path("facets").path("meshflow_product").path("product").asText());
    MeshCatalog open = MeshCatalog.open(catalog);
    List<String> fields = new ArrayList<>();
    input.path("facets").path("schema").path("fields").forEach(f -> fields.add(f.path("name").asText()));
    assertEquals(open.product("interactions").fields().stream().map(ContractField::name).toList(), fields);
    List<dev.meshflow.io.mesh.registry.SchemaRegistry.Registered> versions = open.versions("interactions");
    assertEquals(String.valueOf(versions.get(versions.size() - 1).id()),
        input.path("facets").path("version").path("datasetVersion").asText());
    long rows;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM item_minute_stats")) {
      rs.next();
      rows = rs.getLong(1);
    }
    List<String> outputs = new ArrayList<>();
    for (JsonNode o : complete.path("outputs")) {
      outputs.add(o.path("name").asText());
      if (o.path("name").asText().equals("item_minute_stats")) {
        assertEquals(rows, o.path("outputFacets").path("outputStatistics").path("rowCount").asLong());
      }
    }
    assertThat(outputs, hasItem("item_minute_stats"));
    JsonNode conservation = complete.path("run").path("facets").path("meshflow_conservation");
    assertEquals(EVENTS, conservation.path("read").asLong());
    assertTrue(conservation.path("conserved").asBoolean(), conservation.toString());
    List<String> beamSources = new ArrayList<>();
    complete.path("run").path("facets").path("beam_lineage").path("sources").forEach(s -> beamSources.add(s.asText()));
    assertTrue(beamSources.stream().anyMatch(s -> s.contains(topic)), "KafkaIO's own lineage: " + beamSources);

    String file = "--lineageFile=" + warehouse.getParent().resolve("lineage.jsonl");
    CliRun down = CliRun.of(List.of("lineage", topic, file));
    assertEquals(Main.OK, down.code, down.err);
    for (String expected : List.of("[product interactions (owner interactions, grant g-1, PII protected",
        "-> job ingest (domain analytics): 1 run, last COMPLETE", "-> job interaction-analytics (domain analytics)",
        "/interactions (", "/item_minute_stats (" + String.format("%,d", rows) + " rows written)", "(nothing: a source)")) {
      assertThat(down.out, containsString(expected));
    }
    CliRun up = CliRun.of(List.of("lineage", "item_minute_stats", file));
    assertThat(up.out, containsString("<- job interaction-analytics (domain analytics): 1 run, last COMPLETE"));
    assertThat(up.out, containsString("<- kafka://" + kafka.bootstrap() + "/" + topic + "  [product interactions"));
    assertThat(up.out, containsString("(nothing has read it)"));
  }
}
