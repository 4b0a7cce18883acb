package dev.meshflow.pipelines.mesh;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.io.mesh.consumer.ProductRows;
import dev.meshflow.io.mesh.consumer.ProductSnapshot;
import dev.meshflow.options.GovernanceOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.ProductCopyOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.WarehouseWrites;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;

/**
 * A consumer domain's copy of a data product in its own warehouse: the product's current state,
 * read under the domain's grant, upserted by the product's key into a table of the product's name.
 * Personal fields arrive as the grant allows: raw under a PII grant, otherwise hashed or dropped
 * as the product's contract says, before any row leaves the reader.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read the product's table once ({@link ProductSnapshot}), as its contract's fields.
 *   <li>Keep the contract's fields (the reader's bookkeeping columns go).
 *   <li>Upsert the rows by key into {@code --sink}; refused rows become dead letters.
 * </ol>
 */
public final class ProductCopyPipeline {
  public static final String NAME = "product-copy";
  public static final String DESCRIPTION =
      "A data product copied into the consumer's warehouse, under its grant (PII hashed or dropped)";

  /** Every option this pipeline reads. */
  public interface Options extends GovernanceOptions, ProductCopyOptions, SinkOptions, LauncherOptions,
      StreamingOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, ProductCopySpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, ProductCopySpec::of)
          .domain("analytics")
          .prepare(ProductCopyPipeline::prepare)
          .steps(ProductCopyPipeline::build)
          .exampleQuery("SELECT * FROM users LIMIT 5")
          .build();

  private ProductCopyPipeline() {}

  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  /** The table, with the contract's fields as the consumer receives them. */
  static ProductCopySpec prepare(ProductCopySpec spec) {
    spec.sink().createTable(spec.table(), schema(spec), List.of(spec.product().keyField()));
    return spec;
  }

  static void build(Pipeline pipeline, ProductCopySpec spec) {
    Schema schema = schema(spec);
    PCollection<Row> rows = pipeline.apply("ReadProduct", new ProductSnapshot(spec.product()))
        .apply("ContractFields", ParDo.of(new ContractFieldsFn(schema)))
        .setRowSchema(schema);
    WarehouseWrites.writeDeadLetters(PCollectionList.of(WarehouseWrites.upsert("WriteCopy", rows,
        spec.sink(), spec.table(), List.of(spec.product().keyField()))), spec.sink());
  }

  private static Schema schema(ProductCopySpec spec) {
    return ProductRows.schema(spec.product().fields()).getFields().stream()
        .filter(f -> !f.getName().startsWith("_"))
        .collect(Schema.toSchema());
  }

  /** Counts each row read and keeps the contract's fields. */
  private static final class ContractFieldsFn extends DoFn<Row, Row> {
    private final Schema schema;
    private final RunMetrics.StageCounter read = RunMetrics.counter(RunMetrics.READ);

    ContractFieldsFn(Schema schema) {
      this.schema = schema;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<Row> out) {
      read.inc();
      Row.Builder b = Row.withSchema(schema);
      for (Schema.Field f : schema.getFields()) {
        b.addValue(row.getValue(f.getName()));
      }
      out.output(b.build());
    }
  }
}
