package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Which data product a consumer domain copies into its own warehouse. */
public interface ProductCopyOptions extends PipelineOptions {

  @Description("The product to copy: mesh://PRODUCT, with ?catalog=DIR and db=postgresql://... as for"
      + " any mesh:// endpoint. It is read from its postgres port, under --domain's grant: without a"
      + " PII grant its personal fields arrive hashed or dropped, as its contract says.")
  @Default.String("mesh://users")
  String getProduct();

  void setProduct(String value);
}
