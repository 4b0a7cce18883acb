package dev.meshflow.pipelines.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The runs' OpenLineage events (the file every run appends to, {@code --lineageFile}): the latest
 * runs with their conservation counts and throughput, and the lineage graph of jobs and datasets.
 * The file is read again only when it changed.
 */
final class LineageLog {
  static final int RUNS = 10;

  private final Path file;
  private long readSize = -1;
  private long readModified = -1;
  private List<JsonNode> events = List.of();

  LineageLog(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  /** The events in the file now; a line that is not JSON (one being written) is skipped. */
  synchronized List<JsonNode> events() throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    long size = Files.size(file);
    long modified = Files.getLastModifiedTime(file).toMillis();
    if (size != readSize || modified != readModified) {
      List<JsonNode> read = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        try {
          if (!line.isBlank()) {
            read.add(PanelSql.JSON.readTree(line));
          }
        } catch (IOException partial) {
          // the run appending it has not finished the line
        }
      }
      events = read;
      readSize = size;
      readModified = modified;
    }
    return events;
  }

  /** One run: its START and its last event, by run id. */
  private record Run(JsonNode start, JsonNode last) {}

  /** The latest {@link #RUNS} runs, newest first, each with its state, counts and throughput. */
  ArrayNode runs() throws IOException {
    Map<String, Run> byId = new LinkedHashMap<>();
    for (JsonNode e : events()) {
      String id = e.path("run").path("runId").asText();
      Run seen = byId.get(id);
      byId.put(id, new Run(seen == null || seen.start() == null ? (isStart(e) ? e : null) : seen.start(), e));
    }
    List<Run> runs = new ArrayList<>(byId.values());
    ArrayNode out = PanelSql.JSON.createArrayNode();
    for (int i = runs.size() - 1; i >= 0 && out.size() < RUNS; i--) {
      Run run = runs.get(i);
      JsonNode last = run.last();
      JsonNode facets = last.path("run").path("facets");
      ObjectNode row = out.addObject();
      row.put("job", last.path("job").path("name").asText());
      row.put("runner", facets.path("meshflow_run").path("runner").asText(null));
      row.put("streaming", facets.path("meshflow_run").path("streaming").asBoolean());
      String type = last.path("eventType").asText();
      row.put("state", type.equals("START") ? "RUNNING" : type);
      Instant started = run.start() == null ? null : Instant.parse(run.start().path("eventTime").asText());
      Instant ended = type.equals("START") ? null : Instant.parse(last.path("eventTime").asText());
      row.put("started", started == null ? null : started.toString());
      row.put("ended", ended == null ? null : ended.toString());
      JsonNode counts = facets.path("meshflow_conservation");
      if (!counts.isMissingNode()) {
        for (String field : List.of("read", "delivered", "duplicates", "filtered", "deadLetters")) {
          row.put(field, counts.path(field).asLong());
        }
        row.put("deliveredAs", counts.path("deliveredAs").asText());
        row.put("conserved", counts.path("conserved").asBoolean());
        if (started != null && ended != null && ended.isAfter(started)) {
          double seconds = Duration.between(started, ended).toMillis() / 1000.0;
          row.put("seconds", seconds);
          row.put("recordsPerSecond", Math.round(counts.path("read").asLong() / seconds));
        }
      }
      ArrayNode outputs = row.putArray("outputs");
      last.path("outputs").forEach(o -> outputs.addObject().put("table", label(o))
          .put("rows", o.path("outputFacets").path("outputStatistics").path("rowCount").asLong()));
    }
    return out;
  }

  private static boolean isStart(JsonNode e) {
    return e.path("eventType").asText().equals("START");
  }

  /**
   * The lineage graph: each job (by name, over all its runs) with an arrow from every dataset it
   * read and to every table it wrote. A data product is drawn as one.
   */
  ObjectNode graph() throws IOException {
    Map<String, ObjectNode> nodes = new LinkedHashMap<>();
    Set<String> links = new LinkedHashSet<>();
    for (JsonNode e : events()) {
      String job = "job:" + e.path("job").path("name").asText();
      nodes.computeIfAbsent(job, id -> node(id, e.path("job").path("name").asText(), "job"));
      for (JsonNode in : e.path("inputs")) {
        JsonNode product = in.path("facets").path("meshflow_product");
        String id = product.isMissingNode() ? dataset(in) : "product:" + product.path("product").asText();
        nodes.computeIfAbsent(id, k -> product.isMissingNode() ? node(k, label(in), "dataset")
            : node(k, product.path("product").asText(), "product"));
        links.add(id + "\n" + job);
      }
      for (JsonNode out : e.path("outputs")) {
        String id = dataset(out);
        nodes.computeIfAbsent(id, k -> node(k, label(out), "table"));
        links.add(job + "\n" + id);
      }
    }
    ObjectNode graph = PanelSql.JSON.createObjectNode();
    ArrayNode nodeArray = graph.putArray("nodes");
    nodes.values().forEach(nodeArray::add);
    ArrayNode linkArray = graph.putArray("links");
    links.forEach(l -> linkArray.addObject().put("source", l.substring(0, l.indexOf('\n')))
        .put("target", l.substring(l.indexOf('\n') + 1)));
    return graph;
  }

  private static ObjectNode node(String id, String label, String kind) {
    return PanelSql.JSON.createObjectNode().put("id", id).put("label", label).put("kind", kind);
  }

  private static String dataset(JsonNode d) {
    return "dataset:" + d.path("namespace").asText() + "/" + d.path("name").asText();
  }

  /**
   * A dataset's name as drawn: a warehouse table without its database and schema ({@code
   * db.public.dead_letter} is dead_letter); a topic or file as it is.
   */
  static String label(JsonNode d) {
    String name = d.path("name").asText();
    String namespace = d.path("namespace").asText();
    int dot = name.lastIndexOf('.');
    boolean table = namespace.startsWith("postgres") || namespace.startsWith("duckdb");
    return table && dot >= 0 ? name.substring(dot + 1) : name;
  }
}
