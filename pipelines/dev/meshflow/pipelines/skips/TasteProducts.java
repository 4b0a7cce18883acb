package dev.meshflow.pipelines.skips;

import dev.meshflow.io.mesh.consumer.MeshProduct;
import dev.meshflow.io.mesh.consumer.ProductSnapshot;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.transforms.skips.SkipFeatures;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code --attributesFrom}: the Users product gives each user's cohort (its {@code tier}) and the
 * Songs product each song's genre (its {@code genre}), as the value's position in the contract's
 * allowed values. Each is read as a snapshot of the domain's table when the run starts, so a change
 * published later reaches the skip features at the next run.
 */
record TasteProducts(Category cohorts, Category genres) implements Serializable {
  static final String COHORT_FIELD = "tier";
  static final String GENRE_FIELD = "genre";

  /** One product's field whose allowed values are a feature's categories. */
  record Category(MeshProduct product, String field, List<String> values) implements Serializable {
    KV<String, Integer> of(Row row) {
      return KV.of(row.getString(product.keyField()), values.indexOf(row.getString(field)));
    }
  }

  /** Resolves {@code --attributesFrom}; null when it is empty (cohorts and genres from ids). */
  static TasteProducts of(String attributesFrom) {
    if (attributesFrom.isBlank()) {
      return null;
    }
    Category cohorts = null;
    Category genres = null;
    for (String uri : attributesFrom.split(",")) {
      MeshProduct product = MeshProduct.resolve("attributesFrom", uri.trim());
      Category cohort = category(product, COHORT_FIELD, SkipFeatures.COHORTS);
      Category genre = category(product, GENRE_FIELD, SkipFeatures.GENRES);
      if (cohort == null && genre == null) {
        throw new IllegalArgumentException("--attributesFrom=" + uri.trim() + ": the product has neither a "
            + COHORT_FIELD + " nor a " + GENRE_FIELD + " field; give the Users and Songs products,"
            + " e.g. --attributesFrom=mesh://users,mesh://songs");
      }
      cohorts = cohort != null ? cohort : cohorts;
      genres = genre != null ? genre : genres;
    }
    if (cohorts == null || genres == null) {
      throw new IllegalArgumentException("--attributesFrom=" + attributesFrom + ": needs a product with "
          + (cohorts == null ? COHORT_FIELD + " (users' cohorts)" : GENRE_FIELD + " (songs' genres)")
          + " too, e.g. --attributesFrom=mesh://users,mesh://songs");
    }
    return new TasteProducts(cohorts, genres);
  }

  private static Category category(MeshProduct product, String name, int room) {
    ContractField f = product.field(name).orElse(null);
    if (f == null) {
      return null;
    }
    if (f.allowedValues().isEmpty() || f.allowedValues().size() > room) {
      throw new IllegalArgumentException("--attributesFrom=mesh://" + product.name() + ": its " + name
          + " field must list at most " + room + " allowed values in its contract (an invalidValues"
          + " rule), the categories the skip features have room for; it lists "
          + f.allowedValues().size());
    }
    return new Category(product, name, f.allowedValues());
  }

  /** Steps: read each product's snapshot and key its category by entity id. */
  PCollectionView<Map<String, Integer>> view(Pipeline pipeline, String name, Category category) {
    return pipeline.apply("Read" + name, new ProductSnapshot(category.product()))
        .apply(name + "ById", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
            TypeDescriptors.integers())).via(category::of))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()))
        .apply(name + "View", View.asMap());
  }
}
