package dev.meshflow.transforms.recommendations;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Producer domains' rows (a snapshot of each domain's table in batch, each product's changelog in
 * streaming) as one store row per entity at its latest version: the Songs and Podcasts products
 * as {@link RecommendationTables#ITEMS}, the Users product as {@link RecommendationTables#USERS}.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Map each product row to the store row's values, with its changelog position.
 *   <li>Keep each key's latest version (the highest position: a key's versions share a partition),
 *       written again every {@code update} in streaming, once in batch.
 * </ol>
 */
public final class LatestVersions extends PTransform<PCollectionList<Row>, PCollection<Row>> {
  /** The product rows' changelog position (io's ProductRows.OFFSET); null in a snapshot. */
  static final String OFFSET = "_offset";

  private final Schema table;
  private final SerializableFunction<Row, List<Object>> values;
  private final boolean streaming;
  private final Duration update;
  private final long runSecond = StoreRows.launchSecond();

  /**
   * @param table the store table's schema: its key first, the pane's two fields last
   * @param values a product row's values for every field of {@code table} but the pane's
   */
  private LatestVersions(Schema table, SerializableFunction<Row, List<Object>> values, boolean streaming,
      Duration update) {
    this.table = table;
    this.values = values;
    this.streaming = streaming;
    this.update = update;
  }

  /** The Songs and Podcasts products as {@link RecommendationTables#ITEMS} rows. */
  public static LatestVersions items(boolean streaming, Duration update) {
    return new LatestVersions(RecommendationTables.ITEMS_SCHEMA, row -> {
      CatalogItem i = CatalogItem.of(row);
      return Arrays.asList(i.item(), i.type(), i.creator(), i.genre(), i.deleted());
    }, streaming, update);
  }

  /** The Users product as {@link RecommendationTables#USERS} rows. */
  public static LatestVersions users(boolean streaming, Duration update) {
    return new LatestVersions(RecommendationTables.USERS_SCHEMA, row -> {
      ListedUser u = ListedUser.of(row);
      return Arrays.asList(u.user(), u.country(), u.tier(), u.deleted());
    }, streaming, update);
  }

  /** An entity's version and where it stands in its product's changelog. */
  record Version(ArrayList<Object> values, long position) implements Serializable {}

  @Override
  public PCollection<Row> expand(PCollectionList<Row> products) {
    KvCoder<String, Version> coder = KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Version.class));
    SerializableFunction<Row, List<Object>> toValues = values;
    PCollectionList<KV<String, Version>> versions = PCollectionList.empty(products.getPipeline());
    int i = 0;
    for (PCollection<Row> rows : products.getAll()) {
      versions = versions.and(rows
          .apply("Versions" + i++, MapElements
              .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(Version.class)))
              .via(row -> {
                Long offset = row.getSchema().hasField(OFFSET) ? row.getInt64(OFFSET) : null;
                ArrayList<Object> v = new ArrayList<>(toValues.apply(row));
                return KV.of((String) v.get(0), new Version(v, offset == null ? -1 : offset));
              }))
          .setCoder(coder));
    }
    SerializableBiFunction<Version, Version, Version> later = (a, b) -> a.position() >= b.position() ? a : b;
    return versions
        .apply("AllVersions", Flatten.pCollections())
        .setCoder(coder)
        .apply("VersionTotals", RecommendationWindowing.totals(streaming, update))
        .apply("LatestVersion", Combine.perKey(later))
        .apply("ToRows", ParDo.of(new RowFn(table, runSecond)))
        .setRowSchema(table);
  }

  static final class RowFn extends DoFn<KV<String, Version>, Row> {
    private final Schema table;
    private final long runSecond;

    RowFn(Schema table, long runSecond) {
      this.table = table;
      this.runSecond = runSecond;
    }

    @ProcessElement
    public void process(@Element KV<String, Version> version, PaneInfo pane, OutputReceiver<Row> out) {
      out.output(Row.withSchema(table).addValues(version.getValue().values())
          .addValues(StoreRows.runVersion(runSecond, progress(version.getValue(), pane)), false).build());
    }

    /**
     * How far an item's versions have got: its position in its topic, which a restored job reaches
     * again; the pane's index where the product has no positions.
     */
    private static long progress(Version version, PaneInfo pane) {
      return version.position() >= 0 ? version.position() + 1 : pane.getIndex();
    }
  }
}
