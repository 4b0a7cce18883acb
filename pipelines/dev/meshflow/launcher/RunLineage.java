package dev.meshflow.launcher;

import dev.meshflow.io.DatasetName;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.duckdb.DuckDbSink;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.governance.AccessScope;
import dev.meshflow.options.GovernanceOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.pipelines.RunSpec;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.transports.FileConfig;
import io.openlineage.client.transports.FileTransport;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import io.openlineage.client.transports.Transport;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Lineage;

/**
 * A run's OpenLineage events: START when the run starts, then COMPLETE, ABORT (cancelled) or FAIL,
 * each with the job, its inputs and, at the end, its outputs.
 *
 * <ul>
 *   <li>Inputs: the main input's datasets (topics, files), and each {@code mesh://} product read,
 *       with its schema (the fields as delivered to this domain) and the registered schema id as
 *       its version.
 *   <li>Outputs: every table the run wrote, with the rows written (outputStatistics).
 *   <li>Run facets: the domain and runner; the conservation counts; and what Beam's own lineage
 *       metrics reported (KafkaIO names its topics there), kept as they are.
 * </ul>
 *
 * <p>Events go to a file (default: next to the warehouse) and, with {@code --lineageUrl}, to an
 * HTTP backend too. Lineage never fails a run: a transport that fails costs one warning line.
 * Values are names, counts and schemas; never a record, a password or a key.
 */
final class RunLineage {
  static final String NAMESPACE = "meshflow";
  static final URI PRODUCER = URI.create("https://github.com/meshflow/meshflow");
  private static final String FILE_NAME = "lineage.jsonl";
  /** Beside the default warehouse: where runs that write no DuckDB file put their events. */
  static final Path DEFAULT_FILE = Path.of(SinkOptions.DEFAULT_DUCKDB_FILE).resolveSibling(FILE_NAME);

  private final OpenLineage ol = new OpenLineage(PRODUCER);
  private final UUID runId = UUID.randomUUID();
  private final OpenLineage.Job job;
  private final List<OpenLineage.InputDataset> inputs;
  private final RunSpec spec;
  private final String domain;
  private final String runner;
  private final boolean streaming;
  private final Path file;
  private final String url;
  private final List<Transport> transports = new ArrayList<>();
  private final PrintStream err;
  private int emitted;

  private RunLineage(String jobName, RunSpec spec, String domain, String runner, boolean streaming,
      List<AccessScope.Read> reads, GovernanceOptions options, PrintStream err) {
    this.spec = spec;
    this.domain = domain;
    this.runner = runner;
    this.streaming = streaming;
    this.err = err;
    this.file = fileOf(options, spec.sink());
    this.url = options.getLineageUrl() == null || options.getLineageUrl().isBlank() ? null
        : options.getLineageUrl().replaceAll("/+$", "");
    this.job = ol.newJob(NAMESPACE, jobName, ol.newJobFacetsBuilder()
        .jobType(ol.newJobTypeJobFacet(streaming ? "STREAMING" : "BATCH", "BEAM", "JOB", null))
        .build());
    this.inputs = inputs(spec.input(), spec.otherInputs(), reads);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      transports.add(new FileTransport(new FileConfig(file.toString())));
    } catch (java.io.IOException | RuntimeException e) {
      err.println("meshflow: lineage: cannot write " + file + " (" + e.getMessage() + "); no lineage file");
    }
    if (url != null) {
      HttpConfig http = new HttpConfig();
      http.setUrl(URI.create(url));
      http.setEndpoint("/api/v1/lineage");
      http.setTimeoutInMillis(5_000);
      transports.add(new HttpTransport(http));
    }
  }

  /** Emits START for a run about to start. */
  static RunLineage start(String jobName, RunSpec spec, String domain, String runner, boolean streaming,
      List<AccessScope.Read> reads, GovernanceOptions options, PrintStream err) {
    RunLineage lineage = new RunLineage(jobName, spec, domain, runner, streaming, reads, options, err);
    lineage.emit(OpenLineage.RunEvent.EventType.START, lineage.runFacets(null, null).build(), List.of());
    return lineage;
  }

  /** Emits COMPLETE (DONE), ABORT (cancelled) or FAIL, with the tables written and the counts. */
  void finished(PipelineResult result, PipelineResult.State state, RunCounts counts) {
    OpenLineage.RunEvent.EventType type = state == PipelineResult.State.DONE ? OpenLineage.RunEvent.EventType.COMPLETE
        : state == PipelineResult.State.CANCELLED ? OpenLineage.RunEvent.EventType.ABORT
        : OpenLineage.RunEvent.EventType.FAIL;
    OpenLineage.RunFacetsBuilder facets = runFacets(counts, result);
    if (type == OpenLineage.RunEvent.EventType.FAIL) {
      facets.errorMessage(ol.newErrorMessageRunFacet("the run ended " + state, "JAVA", null));
    }
    emit(type, facets.build(), outputs(counts));
  }

  /** Emits FAIL for a run that threw; the message is the one the launcher prints. */
  void failed(Throwable e) {
    OpenLineage.RunFacetsBuilder facets = runFacets(null, null);
    facets.errorMessage(ol.newErrorMessageRunFacet(FailureMessage.of(e), "JAVA", null));
    emit(OpenLineage.RunEvent.EventType.FAIL, facets.build(), List.of());
  }

  /** The file the run's events go to. */
  Path file() {
    return file;
  }

  /** For the summary: where the events went. */
  String describe() {
    return file.toAbsolutePath().normalize() + " (" + emitted + " events" + (url == null ? "" : ", also " + url)
        + "; ./meshflow lineage TABLE draws the graph)";
  }

  private void emit(OpenLineage.RunEvent.EventType type, OpenLineage.RunFacets facets,
      List<OpenLineage.OutputDataset> outputs) {
    OpenLineage.RunEvent event = ol.newRunEventBuilder()
        .eventType(type)
        .eventTime(ZonedDateTime.now(ZoneOffset.UTC))
        .run(ol.newRun(runId, facets))
        .job(job)
        .inputs(inputs)
        .outputs(outputs)
        .build();
    for (Transport t : transports) {
      try {
        t.emit(event);
        if (t instanceof FileTransport) {
          emitted++;
        }
      } catch (RuntimeException e) {
        err.println("meshflow: lineage: " + type + " not delivered to " + (t instanceof HttpTransport ? url : file)
            + " (" + FailureMessage.of(e) + ")");
      }
    }
  }

  private OpenLineage.RunFacetsBuilder runFacets(RunCounts counts, PipelineResult result) {
    OpenLineage.RunFacetsBuilder b = ol.newRunFacetsBuilder();
    b.put("meshflow_run", facet(Map.of("domain", domain, "runner", runner, "streaming", streaming)));
    if (counts != null) {
      Conservation c = spec.conservation();
      boolean conserved = counts.conserved(c); // first: it may read the totals again
      Map<String, Object> conservation = new LinkedHashMap<>();
      conservation.put("read", counts.read());
      conservation.put("delivered", counts.delivered(c));
      conservation.put("deliveredAs", c.deliveredLabel());
      conservation.put("duplicates", counts.duplicates());
      conservation.put("filtered", counts.filtered());
      conservation.put("deadLetters", counts.deadLetters());
      conservation.put("conserved", conserved);
      b.put("meshflow_conservation", facet(conservation));
    }
    if (result != null) {
      try {
        Map<String, Object> beam = new LinkedHashMap<>();
        beam.put("sources", List.copyOf(Lineage.query(result.metrics(), Lineage.Type.SOURCE)));
        beam.put("sinks", List.copyOf(Lineage.query(result.metrics(), Lineage.Type.SINK)));
        b.put("beam_lineage", facet(beam));
      } catch (RuntimeException unavailable) {
        // a runner whose metrics cannot be queried after the run reports none
      }
    }
    return b;
  }

  private OpenLineage.RunFacet facet(Map<String, Object> values) {
    OpenLineage.RunFacet facet = ol.newRunFacet();
    facet.getAdditionalProperties().putAll(values);
    return facet;
  }

  private List<OpenLineage.InputDataset> inputs(RecordSource input, List<RecordSource> others,
      List<AccessScope.Read> reads) {
    Map<DatasetName, AccessScope.Read> datasets = new LinkedHashMap<>();
    List<RecordSource> sources = new ArrayList<>();
    if (input != null) {
      sources.add(input);
    }
    sources.addAll(others);
    for (RecordSource source : sources) {
      for (DatasetName d : source.datasets()) {
        datasets.put(d, null);
      }
    }
    for (AccessScope.Read read : reads) {
      DatasetName main = read.datasets().stream().filter(datasets::containsKey).findFirst().orElse(null);
      if (main != null) {
        datasets.put(main, read); // the product is the main input: its topic
      } else if (!read.datasets().isEmpty()) {
        // A product read beside the main input: its table (a snapshot or side input).
        datasets.put(read.datasets().get(read.datasets().size() - 1), read);
      }
    }
    List<OpenLineage.InputDataset> out = new ArrayList<>();
    datasets.forEach((name, read) -> {
      OpenLineage.DatasetFacetsBuilder facets = ol.newDatasetFacetsBuilder();
      if (read != null) {
        List<OpenLineage.SchemaDatasetFacetFields> fields = new ArrayList<>();
        for (ContractField f : read.fields()) {
          fields.add(ol.newSchemaDatasetFacetFields(f.name(), f.physicalType(),
              f.pii() ? (read.pii() ? "personal data, delivered raw" : "personal data, delivered hashed")
                  : f.description(), null, null));
        }
        facets.schema(ol.newSchemaDatasetFacet(fields));
        facets.version(ol.newDatasetVersionDatasetFacet(String.valueOf(read.schemaId())));
        OpenLineage.DatasetFacet product = ol.newDatasetFacet();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("product", read.product());
        p.put("owner", read.owner());
        p.put("grant", read.grantId() == null ? "owner" : read.grantId());
        p.put("pii", read.pii() ? "raw" : "protected");
        p.put("schemaVersion", read.schemaVersion());
        product.getAdditionalProperties().putAll(p);
        facets.put("meshflow_product", product);
      }
      out.add(ol.newInputDatasetBuilder().namespace(name.namespace()).name(name.name())
          .facets(facets.build()).build());
    });
    return out;
  }

  private List<OpenLineage.OutputDataset> outputs(RunCounts counts) {
    List<OpenLineage.OutputDataset> out = new ArrayList<>();
    TableSink sink = spec.sink();
    if (sink == null) {
      return out;
    }
    counts.rowsWritten().forEach((table, rows) -> {
      DatasetName name = sink.dataset(table);
      if (name != null) {
        out.add(ol.newOutputDatasetBuilder().namespace(name.namespace()).name(name.name())
            .outputFacets(ol.newOutputDatasetOutputFacetsBuilder()
                .outputStatistics(ol.newOutputStatisticsOutputDatasetFacet(rows, null, null)).build())
            .build());
      }
    });
    return out;
  }

  /** --lineageFile, or lineage.jsonl beside a DuckDB warehouse, or warehouse/lineage.jsonl. */
  static Path fileOf(GovernanceOptions options, TableSink sink) {
    return fileOf(options.getLineageFile(), sink);
  }

  /** {@code given} if set, else where a run writing to {@code sink} puts its events by default. */
  static Path fileOf(String given, TableSink sink) {
    if (given != null && !given.isBlank()) {
      return Path.of(given);
    }
    if (sink instanceof DuckDbSink duck) {
      Path parent = Path.of(duck.file()).toAbsolutePath().getParent();
      return parent.resolve(FILE_NAME);
    }
    return DEFAULT_FILE;
  }
}
