package dev.meshflow.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code ./meshflow lineage [TABLE | PRODUCT | TOPIC]}: where a dataset came from and where it
 * went, drawn from the OpenLineage events runs stored: the jobs that wrote it and what they read,
 * upstream; the jobs that read it and what they wrote, downstream; with each job's runs, their
 * last state and when. Without a name it lists every dataset the events know.
 */
final class LineageCommand {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DEPTH = 6;
  private static final String USAGE = String.join("\n",
      "Usage: ./meshflow lineage [TABLE | PRODUCT | TOPIC] [--lineageFile=FILE]",
      "",
      "Draws a dataset's lineage from the OpenLineage events the runs wrote: upstream, the jobs",
      "that wrote it and what they read; downstream, the jobs that read it and what they wrote.",
      "A name matches a table (item_minute_stats), a topic, a PostgreSQL schema.table, or a data",
      "product (interactions). Without a name: every dataset in the events.",
      "",
      "  --lineageFile=FILE   (default: " + RunLineage.DEFAULT_FILE + ", where runs writing the default",
      "                       warehouse put their events; a run's --lineageFile elsewhere)",
      "  --help, -h           this text");

  /** One job's runs, as its events tell them. */
  private static final class Job {
    final String name;
    final Map<String, String> lastStateByRun = new LinkedHashMap<>();
    String lastTime = "";
    String domain = "";
    final Set<String> inputs = new HashSet<>();
    final Map<String, Long> outputs = new TreeMap<>();

    Job(String name) {
      this.name = name;
    }
  }

  private LineageCommand() {}

  static int run(List<String> args, PrintStream out) throws IOException {
    String file = RunLineage.DEFAULT_FILE.toString();
    String wanted = null;
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.println(USAGE);
        return Main.OK;
      } else if (a.startsWith("--lineageFile=")) {
        file = a.substring("--lineageFile=".length());
      } else if (a.startsWith("-")) {
        throw new IllegalArgumentException("lineage: unknown option " + a + " (./meshflow lineage --help)");
      } else if (wanted == null) {
        wanted = a;
      } else {
        throw new IllegalArgumentException("lineage: one name at a time (./meshflow lineage --help)");
      }
    }
    Path events = Path.of(file);
    if (!Files.isRegularFile(events)) {
      throw new IllegalArgumentException("lineage: no events at " + events.toAbsolutePath().normalize()
          + "; every run writes them (e.g. ./meshflow interaction-analytics), or give --lineageFile=FILE");
    }
    Map<String, Job> jobs = new TreeMap<>();
    Map<String, String> products = new TreeMap<>(); // dataset to product name
    List<String> lines = Files.readAllLines(events, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      JsonNode e;
      try {
        e = JSON.readTree(lines.get(i));
      } catch (JsonProcessingException bad) {
        throw new IllegalArgumentException(events + ":" + (i + 1) + ": not an OpenLineage event");
      }
      Job job = jobs.computeIfAbsent(e.path("job").path("name").asText("?"), Job::new);
      job.lastStateByRun.put(e.path("run").path("runId").asText(), e.path("eventType").asText());
      job.lastTime = e.path("eventTime").asText();
      job.domain = e.path("run").path("facets").path("meshflow_run").path("domain").asText(job.domain);
      for (JsonNode in : e.path("inputs")) {
        String id = id(in);
        job.inputs.add(id);
        JsonNode product = in.path("facets").path("meshflow_product");
        if (product.has("product")) {
          products.put(id, product.path("product").asText() + " (owner " + product.path("owner").asText()
              + ", grant " + product.path("grant").asText() + ", PII " + product.path("pii").asText()
              + ", schema id " + in.path("facets").path("version").path("datasetVersion").asText() + ")");
        }
      }
      for (JsonNode o : e.path("outputs")) {
        long rows = o.path("outputFacets").path("outputStatistics").path("rowCount").asLong(0);
        job.outputs.merge(id(o), rows, Long::sum);
      }
    }
    Set<String> datasets = new java.util.TreeSet<>();
    jobs.values().forEach(j -> {
      datasets.addAll(j.inputs);
      datasets.addAll(j.outputs.keySet());
    });
    if (wanted == null) {
      out.println("datasets in " + events + ":");
      datasets.forEach(d -> out.println("  " + d + (products.containsKey(d) ? "  [product " + products.get(d) + "]" : "")));
      out.println("jobs: " + String.join(", ", jobs.keySet()));
      return Main.OK;
    }
    List<String> matches = new ArrayList<>();
    for (String d : datasets) {
      String name = d.substring(d.lastIndexOf('/') + 1);
      if (d.equals(wanted) || name.equals(wanted) || name.endsWith("." + wanted)
          || products.getOrDefault(d, "").startsWith(wanted + " (")) {
        matches.add(d);
      }
    }
    if (matches.isEmpty()) {
      throw new IllegalArgumentException("lineage: no dataset named " + wanted + " in " + events
          + " (./meshflow lineage lists them)");
    }
    for (String d : matches) {
      out.println(d + (products.containsKey(d) ? "  [product " + products.get(d) + "]" : ""));
      out.println("  upstream (what it came from)");
      if (!upstream(d, jobs, products, out, "    ", new HashSet<>(), 0)) {
        out.println("    (nothing: a source)");
      }
      out.println("  downstream (what came from it)");
      if (!downstream(d, jobs, products, out, "    ", new HashSet<>(), 0)) {
        out.println("    (nothing has read it)");
      }
    }
    return Main.OK;
  }

  private static boolean upstream(String dataset, Map<String, Job> jobs, Map<String, String> products,
      PrintStream out, String indent, Set<String> seen, int depth) {
    boolean any = false;
    for (Job j : jobs.values()) {
      if (!j.outputs.containsKey(dataset) || depth >= DEPTH) {
        continue;
      }
      any = true;
      out.println(indent + "<- job " + describe(j) + String.format(", %,d rows written by %s", j.outputs.get(dataset),
          j.lastStateByRun.size() == 1 ? "it" : "them"));
      if (seen.add(j.name)) {
        for (String in : j.inputs) {
          out.println(indent + "   <- " + in + (products.containsKey(in) ? "  [product " + products.get(in) + "]" : ""));
          upstream(in, jobs, products, out, indent + "      ", seen, depth + 1);
        }
      }
    }
    return any;
  }

  private static boolean downstream(String dataset, Map<String, Job> jobs, Map<String, String> products,
      PrintStream out, String indent, Set<String> seen, int depth) {
    boolean any = false;
    for (Job j : jobs.values()) {
      if (!j.inputs.contains(dataset) || depth >= DEPTH) {
        continue;
      }
      any = true;
      out.println(indent + "-> job " + describe(j));
      if (seen.add(j.name)) {
        for (Map.Entry<String, Long> o : j.outputs.entrySet()) {
          out.println(indent + "   -> " + o.getKey() + String.format(" (%,d rows written)", o.getValue()));
          downstream(o.getKey(), jobs, products, out, indent + "      ", seen, depth + 1);
        }
      }
    }
    return any;
  }

  private static String describe(Job j) {
    long runs = j.lastStateByRun.size();
    String last = j.lastStateByRun.values().stream().reduce((a, b) -> b).orElse("?");
    return j.name + (j.domain.isEmpty() ? "" : " (domain " + j.domain + ")") + ": " + runs
        + (runs == 1 ? " run" : " runs") + ", last " + last + " at " + j.lastTime.replace('T', ' ')
        .replaceAll("\\.\\d+Z$|Z$", "") + " UTC";
  }

  private static String id(JsonNode dataset) {
    return dataset.path("namespace").asText() + "/" + dataset.path("name").asText();
  }
}
