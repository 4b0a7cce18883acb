package dev.meshflow.pipelines.mesh;

import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.mesh.consumer.MeshProduct;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.pipelines.RunSpec;

/**
 * What {@code product-copy}'s options say, read once: the product, resolved for the run's domain
 * (so an ungranted run stops here), and the warehouse it is copied to.
 */
public record ProductCopySpec(MeshProduct product, TableSink sink) implements RunSpec {

  /** The consumer's table: the product's name. */
  public String table() {
    return product.name();
  }

  @Override
  public String describeInput() {
    return "mesh://" + product.name() + " (" + product.table() + ")";
  }

  @Override
  public Conservation conservation() {
    return Conservation.rowsOf(table());
  }

  public static ProductCopySpec of(ProductCopyPipeline.Options options) {
    if (options.isStreaming()) {
      throw new IllegalArgumentException("product-copy reads a product's current state once, in batch;"
          + " leave out --streaming (a streaming copy from the product's changelog is not built yet)");
    }
    if (!options.getProduct().startsWith(MeshProduct.SCHEME + "://")) {
      throw new IllegalArgumentException("--product=" + options.getProduct() + ": expected mesh://PRODUCT,"
          + " e.g. mesh://users");
    }
    TableSink sink = Endpoints.sink(options.getSink());
    MeshProduct product = MeshProduct.resolve("product", options.getProduct());
    if (product.table() == null || product.keyField() == null) {
      throw new IllegalArgumentException("--product=" + options.getProduct() + ": the product needs a"
          + " postgres port and a key field to be copied");
    }
    return new ProductCopySpec(product, sink);
  }
}
