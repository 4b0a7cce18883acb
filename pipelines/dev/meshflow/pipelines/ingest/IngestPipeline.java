package dev.meshflow.pipelines.ingest;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.AfterRun;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.options.Durations;
import dev.meshflow.options.EventTimeOptions;
import dev.meshflow.options.IngestOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.options.SourceOptions;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.ReadSource;
import dev.meshflow.pipelines.RefreshedSideInputs;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.ingest.Catalog;
import dev.meshflow.transforms.ingest.EltViews;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.IngestEtl;
import dev.meshflow.transforms.ingest.InteractionsTable;
import dev.meshflow.transforms.ingest.PrivacyRules;
import dev.meshflow.transforms.ingest.RawLanding;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * Pipelined ingestion of the Interactions stream into the warehouse, as ETL or ELT.
 *
 * <p>Steps (ETL):
 *
 * <ol>
 *   <li>Read raw records from {@code --source} (Kafka, files, the generator).
 *   <li>Run {@link IngestEtl}: parse, late split, dedupe, keep types, enrich, fill, privacy.
 *   <li>Upsert {@code interactions} by event_id; refused rows become dead letters.
 * </ol>
 *
 * <p>Steps (ELT):
 *
 * <ol>
 *   <li>Create {@code interactions_raw} and the view {@code interactions_v} on it.
 *   <li>Read raw records and land each unchanged, keyed by origin ({@link RawLanding}); a replay
 *       keeps the first landing.
 * </ol>
 *
 * <p>Every dead letter goes to {@code dead_letter}.
 */
public final class IngestPipeline {
  public static final String NAME = "ingest";
  public static final String DESCRIPTION =
      "Interactions into the warehouse, streamed per event: ETL (typed, enriched) or ELT (raw + SQL view)";

  /** Every option this pipeline reads. */
  public interface Options extends SourceOptions, SinkOptions, EventTimeOptions, IngestOptions,
      RunForOptions, LauncherOptions, StreamingOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class)
          .validate(IngestPipeline::validate)
          .run(IngestPipeline::run)
          .input(o -> Endpoints.source(o.getSource(), o.isStreaming()))
          .conservation(IngestPipeline::conservation)
          .exampleQuery("SELECT event_type, count(*) AS events, count(DISTINCT user_id) AS users FROM interactions"
            + " GROUP BY event_type ORDER BY events DESC")
          .build();

  private IngestPipeline() {}

  public static void validate(Options options) {
    Durations.parse("allowedLateness", options.getAllowedLateness());
    Durations.parse("dedupeWindow", options.getDedupeWindow());
    Durations.lifetime(options, options.isStreaming());
    boolean etl = options.getMode() == IngestOptions.Mode.ETL;
    if (!etl) {
      for (Map.Entry<String, Boolean> o : Map.of(
          "--keepEventTypes", !options.getKeepEventTypes().isEmpty(),
          "--keepItemTypes", !options.getKeepItemTypes().isEmpty(),
          "--fillMissingDevice", options.getFillMissingDevice(),
          "--catalog", !options.getCatalog().isEmpty(),
          "--hashFields/--maskFields/--dropFields", !options.getHashFields().isEmpty()
              || !options.getMaskFields().isEmpty() || !options.getDropFields().isEmpty()).entrySet()) {
        if (o.getValue()) {
          throw new IllegalArgumentException(o.getKey() + " only applies to --mode=ETL; in ELT the"
              + " warehouse transforms (see the view " + EltViews.VIEW + ")");
        }
      }
    }
    if (etl) {
      etlSpec(options);
      if (!options.getCatalog().isEmpty()) {
        RefreshedSideInputs.check("catalogRefresh", options.getCatalogRefresh(), options);
      }
      Durations.parse("catalogRefresh", options.getCatalogRefresh());
    }
    if (etl && options.isStreaming() && options.getRunner().getSimpleName().equals("SparkRunner")) {
      throw new IllegalArgumentException(
          "SparkRunner's streaming mode rejects event-time timers, which the ETL late split and"
              + " dedupe need; run --mode=ETL --streaming on DirectRunner or FlinkRunner, or use"
              + " --mode=ELT on Spark");
    }
    Endpoints.source(options.getSource(), options.isStreaming());
    TableSink sink = Endpoints.sink(options.getSink());
    if (!etl && sink.sqlDialect() == null) {
      throw new IllegalArgumentException("--mode=ELT needs a SQL warehouse sink (duckdb: or"
          + " postgresql:) to hold the view " + EltViews.VIEW + "; " + sink.describe() + " has none");
    }
  }

  static EtlSpec etlSpec(Options options) {
    Set<String> eventTypes = csvIn("--keepEventTypes", options.getKeepEventTypes(),
        dev.meshflow.transforms.interactions.InteractionParser.EVENT_TYPES);
    Set<String> itemTypes = csvIn("--keepItemTypes", options.getKeepItemTypes(),
        dev.meshflow.transforms.interactions.InteractionParser.ITEM_TYPES);
    String miss = options.getOnCatalogMiss();
    if (!miss.equals("keep") && !miss.equals("deadletter")) {
      throw new IllegalArgumentException("--onCatalogMiss=" + miss + ": use keep or deadletter");
    }
    if (miss.equals("deadletter") && options.getCatalog().isEmpty()) {
      throw new IllegalArgumentException("--onCatalogMiss=deadletter needs --catalog=<file>");
    }
    if (!options.getCatalog().isEmpty()) {
      try {
        FileSnapshots.once(options.getCatalog()); // any Beam file system, checked before the run
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--catalog=" + e.getMessage(), e);
      }
    }
    String key = System.getenv(options.getHmacKeyEnv());
    PrivacyRules privacy = PrivacyRules.of(options.getHashFields(), options.getMaskFields(),
        options.getDropFields(), key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        options.getHmacKeyEnv());
    return new EtlSpec(eventTypes, itemTypes, options.getFillMissingDevice(),
        miss.equals("deadletter"), privacy);
  }

  private static Set<String> csvIn(String option, String csv, Set<String> allowed) {
    Set<String> out = new java.util.TreeSet<>();
    for (String v : csv.isBlank() ? new String[0] : csv.trim().split("\\s*,\\s*")) {
      if (!allowed.contains(v)) {
        throw new IllegalArgumentException(option + ": '" + v + "' is not one of " + new java.util.TreeSet<>(allowed));
      }
      out.add(v);
    }
    return out;
  }

  public static Conservation conservation(Options options) {
    return Conservation.rowsOf(options.getMode() == IngestOptions.Mode.ETL
        ? InteractionsTable.TABLE : RawLanding.TABLE);
  }

  /** Builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    validate(options);
    return AfterRun.start(build(options));
  }

  public static Pipeline build(Options options) {
    RecordSource source = Endpoints.source(options.getSource(), options.isStreaming());
    TableSink sink = Endpoints.sink(options.getSink());
    Duration runFor = Durations.lifetime(options, options.isStreaming());
    Pipeline pipeline = Pipeline.create(options);
    PCollection<KV<String, byte[]>> records = ReadSource.apply(pipeline, "ReadRecords", source, runFor, sink);

    PCollectionList<DeadLetter> deadLetters;
    if (options.getMode() == IngestOptions.Mode.ETL) {
      EtlSpec spec = etlSpec(options);
      PCollectionView<Map<String, List<String>>> catalog =
          catalogView(pipeline, options, !source.isBounded(), runFor);
      Duration dedupe = Durations.parse("dedupeWindow", options.getDedupeWindow());
      PCollectionTuple etl = records.apply("IngestEtl", options.isStreaming()
          ? IngestEtl.streaming(spec, Durations.parse("allowedLateness", options.getAllowedLateness()),
              dedupe, catalog)
          : IngestEtl.batch(spec, dedupe, catalog));
      PCollection<DeadLetter> refused = WarehouseWrites.upsert("WriteInteractions",
          etl.get(IngestEtl.ROWS), sink, InteractionsTable.TABLE, InteractionsTable.KEY);
      deadLetters = PCollectionList.of(etl.get(IngestEtl.DEAD_LETTERS)).and(refused);
    } else {
      sink.createTable(RawLanding.TABLE, RawLanding.SCHEMA, RawLanding.KEY);
      sink.executeDdl(EltViews.statements(sink.sqlDialect()));
      PCollection<Row> raw = records.apply("LandRaw", new RawLanding());
      deadLetters = PCollectionList.of(WarehouseWrites.insertNew(
          "WriteRaw", raw, sink, RawLanding.TABLE, RawLanding.KEY));
    }
    WarehouseWrites.writeDeadLetters(deadLetters, sink);
    return pipeline;
  }

  private static PCollectionView<Map<String, List<String>>> catalogView(
      Pipeline pipeline, Options options, boolean endless, Duration runFor) {
    if (options.getCatalog().isEmpty()) {
      return null;
    }
    FileSnapshots snapshots = FileSnapshots.forInput(options.getCatalog(), endless,
        Durations.parse("catalogRefresh", options.getCatalogRefresh()), runFor);
    return Catalog.asView(pipeline.apply("ReadCatalog", snapshots));
  }
}
