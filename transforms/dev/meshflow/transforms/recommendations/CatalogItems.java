package dev.meshflow.transforms.recommendations;

import java.io.Serializable;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableBiFunction;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * The item products' rows (Songs and Podcasts: a snapshot in batch, the changelog in streaming) as
 * the store's {@link RecommendationTables#ITEMS} rows, one per item at its latest version.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Map each product's rows to catalog items with their changelog position.
 *   <li>Keep each item's latest version (the highest position: a key's versions share a partition),
 *       written again every {@code update} in streaming, once in batch.
 * </ol>
 */
public final class CatalogItems extends PTransform<PCollectionList<Row>, PCollection<Row>> {
  /** The product rows' changelog position (io's ProductRows.OFFSET); null in a snapshot. */
  static final String OFFSET = "_offset";

  private final boolean streaming;
  private final Duration update;

  private CatalogItems(boolean streaming, Duration update) {
    this.streaming = streaming;
    this.update = update;
  }

  public static CatalogItems batch() {
    return new CatalogItems(false, Duration.ZERO);
  }

  public static CatalogItems streaming(Duration update) {
    return new CatalogItems(true, update);
  }

  /** An item's version and where it stands in its product's changelog. */
  record Version(CatalogItem item, long position) implements Serializable {
    static Version of(Row productRow) {
      Long offset = productRow.getSchema().hasField(OFFSET) ? productRow.getInt64(OFFSET) : null;
      return new Version(CatalogItem.of(productRow), offset == null ? -1 : offset);
    }
  }

  @Override
  public PCollection<Row> expand(PCollectionList<Row> products) {
    KvCoder<String, Version> coder = KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Version.class));
    PCollectionList<KV<String, Version>> versions = PCollectionList.empty(products.getPipeline());
    int i = 0;
    for (PCollection<Row> rows : products.getAll()) {
      versions = versions.and(rows
          .apply("ItemVersions" + i++, MapElements
              .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(Version.class)))
              .via(row -> {
                Version v = Version.of(row);
                return KV.of(v.item().item(), v);
              }))
          .setCoder(coder));
    }
    SerializableBiFunction<Version, Version, Version> later = (a, b) -> a.position() >= b.position() ? a : b;
    return versions
        .apply("AllItems", Flatten.pCollections())
        .setCoder(coder)
        .apply("ItemTotals", RecommendationWindowing.totals(streaming, update))
        .apply("LatestVersion", Combine.perKey(later))
        .apply("ItemsToRows", ParDo.of(new ItemRowFn()))
        .setRowSchema(RecommendationTables.ITEMS_SCHEMA);
  }

  static final class ItemRowFn extends DoFn<KV<String, Version>, Row> {
    @ProcessElement
    public void process(@Element KV<String, Version> version, PaneInfo pane, OutputReceiver<Row> out) {
      CatalogItem item = version.getValue().item();
      Schema schema = RecommendationTables.ITEMS_SCHEMA;
      out.output(Row.withSchema(schema)
          .addValues(item.item(), item.type(), item.creator(), item.genre(), item.deleted(), pane.getIndex(),
              pane.isLast())
          .build());
    }
  }
}
