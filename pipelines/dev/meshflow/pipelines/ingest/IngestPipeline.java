package dev.meshflow.pipelines.ingest;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.io.mesh.consumer.MeshProduct;
import dev.meshflow.io.mesh.consumer.ProductChangelog;
import dev.meshflow.io.mesh.consumer.ProductSnapshot;
import dev.meshflow.options.EventTimeOptions;
import dev.meshflow.options.GovernanceOptions;
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
import dev.meshflow.transforms.ingest.ItemAttributes;
import dev.meshflow.transforms.ingest.RawLanding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Pipelined ingestion of the Interactions stream into the warehouse, as ETL or ELT.
 *
 * <p>Steps (ETL):
 *
 * <ol>
 *   <li>Read raw records from {@code --source} (Kafka, files, the generator).
 *   <li>Read the item catalog: a file, or the mesh's item products (streaming: their changelog
 *       topics; batch: a snapshot of the domains' tables).
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
  public interface Options extends GovernanceOptions, SourceOptions, SinkOptions, EventTimeOptions, IngestOptions,
      RunForOptions, LauncherOptions, StreamingOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, IngestSpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, IngestSpec::of)
          .domain("analytics")
          .prepare(IngestPipeline::prepare)
          .steps(IngestPipeline::build)
          .exampleQuery("SELECT event_type, count(*) AS events, count(DISTINCT user_id) AS users FROM interactions"
            + " GROUP BY event_type ORDER BY events DESC")
          .build();

  /** An item id and its {@code [title, artist, genre]} (empty: deleted). */
  private static final KvCoder<String, List<String>> ITEM_VERSION = KvCoder.of(StringUtf8Coder.of(),
      ListCoder.of(NullableCoder.of(StringUtf8Coder.of())));

  private IngestPipeline() {}

  /** Reads the options, prepares, then builds the pipeline and starts it; does not wait for it. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  /**
   * ETL: resolves the item products through the mesh's catalog, or checks the catalog file can be
   * read. ELT: creates the landing table and its view.
   */
  static IngestSpec prepare(IngestSpec spec) {
    if (spec.etl() == null) {
      spec.sink().createTable(RawLanding.TABLE, RawLanding.SCHEMA, RawLanding.KEY);
      spec.sink().executeDdl(EltViews.statements(spec.sink().sqlDialect()));
    } else if (spec.meshItems()) {
      List<MeshProduct> items = new ArrayList<>();
      for (String uri : spec.catalog().split(",")) {
        items.add(MeshProduct.resolve("catalog", uri.trim()));
      }
      return spec.withItems(items);
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
      PCollectionTuple etl;
      if (!spec.items().isEmpty() && spec.streaming()) {
        etl = records.apply("IngestEtl", IngestEtl.streamingWithChangelog(spec.etl(),
            spec.allowedLateness(), spec.dedupeWindow(), itemVersions(pipeline, spec, true)));
      } else {
        PCollectionView<Map<String, List<String>>> catalog = spec.items().isEmpty()
            ? catalogView(pipeline, spec)
            : itemVersions(pipeline, spec, false).apply("ItemsView", View.asMap());
        etl = records.apply("IngestEtl", spec.streaming()
            ? IngestEtl.streaming(spec.etl(), spec.allowedLateness(), spec.dedupeWindow(), catalog)
            : IngestEtl.batch(spec.etl(), spec.dedupeWindow(), catalog));
      }
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

  /**
   * The item products' {@code [title, artist, genre]} by item id: streaming, each product's
   * changelog (every version, as it is published); batch, a snapshot of each domain's table.
   */
  private static PCollection<KV<String, List<String>>> itemVersions(Pipeline pipeline, IngestSpec spec,
      boolean changelog) {
    PCollectionList<KV<String, List<String>>> all = PCollectionList.empty(pipeline);
    for (MeshProduct item : spec.items()) {
      String name = Character.toUpperCase(item.name().charAt(0)) + item.name().substring(1);
      PCollection<Row> rows = pipeline.apply("Read" + name,
          changelog ? new ProductChangelog(item, spec.runFor(), spec.input().endsByItself())
              : new ProductSnapshot(item));
      all = all.and(rows
          .apply(name + "Attributes", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
              TypeDescriptors.lists(TypeDescriptors.strings()))).via(ItemAttributes::of))
          .setCoder(ITEM_VERSION));
    }
    return all.apply("AllItems", Flatten.pCollections()).setCoder(ITEM_VERSION);
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
