package dev.meshflow.pipelines.ingest;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.options.EventTimeOptions;
import dev.meshflow.options.IngestOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.options.SourceOptions;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.ReadSource;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.ingest.Catalog;
import dev.meshflow.transforms.ingest.EltViews;
import dev.meshflow.transforms.ingest.IngestEtl;
import dev.meshflow.transforms.ingest.InteractionsTable;
import dev.meshflow.transforms.ingest.RawLanding;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;

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
  public static final MeshflowPipeline<Options, IngestSpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, IngestSpec::of)
          .prepare(IngestPipeline::prepare)
          .steps(IngestPipeline::build)
          .exampleQuery("SELECT event_type, count(*) AS events, count(DISTINCT user_id) AS users FROM interactions"
            + " GROUP BY event_type ORDER BY events DESC")
          .build();

  private IngestPipeline() {}

  /** Reads the options, prepares, then builds the pipeline and starts it; does not wait for it. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  /** ETL: checks the catalog file can be read. ELT: creates the landing table and its view. */
  static IngestSpec prepare(IngestSpec spec) {
    if (spec.etl() == null) {
      spec.sink().createTable(RawLanding.TABLE, RawLanding.SCHEMA, RawLanding.KEY);
      spec.sink().executeDdl(EltViews.statements(spec.sink().sqlDialect()));
    } else if (!spec.catalog().isEmpty()) {
      try {
        FileSnapshots.once(spec.catalog()); // any Beam file system, checked before the run
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--catalog=" + e.getMessage(), e);
      }
    }
    return spec;
  }

  static void build(Pipeline pipeline, IngestSpec spec) {
    TableSink sink = spec.sink();
    PCollection<KV<String, byte[]>> records =
        ReadSource.apply(pipeline, "ReadRecords", spec.input(), spec.runFor(), sink);

    PCollectionList<DeadLetter> deadLetters;
    if (spec.etl() != null) {
      PCollectionView<Map<String, List<String>>> catalog = catalogView(pipeline, spec);
      PCollectionTuple etl = records.apply("IngestEtl", spec.streaming()
          ? IngestEtl.streaming(spec.etl(), spec.allowedLateness(), spec.dedupeWindow(), catalog)
          : IngestEtl.batch(spec.etl(), spec.dedupeWindow(), catalog));
      PCollection<DeadLetter> refused = WarehouseWrites.upsert("WriteInteractions",
          etl.get(IngestEtl.ROWS), sink, InteractionsTable.TABLE, InteractionsTable.KEY);
      deadLetters = PCollectionList.of(etl.get(IngestEtl.DEAD_LETTERS)).and(refused);
    } else {
      PCollection<Row> raw = records.apply("LandRaw", new RawLanding());
      deadLetters = PCollectionList.of(WarehouseWrites.insertNew(
          "WriteRaw", raw, sink, RawLanding.TABLE, RawLanding.KEY));
    }
    WarehouseWrites.writeDeadLetters(deadLetters, sink);
  }

  private static PCollectionView<Map<String, List<String>>> catalogView(Pipeline pipeline, IngestSpec spec) {
    if (spec.catalog().isEmpty()) {
      return null;
    }
    FileSnapshots snapshots = FileSnapshots.forInput(spec.catalog(), !spec.input().isBounded(),
        spec.catalogRefresh(), spec.runFor());
    return Catalog.asView(pipeline.apply("ReadCatalog", snapshots));
  }
}
