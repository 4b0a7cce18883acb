package dev.meshflow.transforms.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** Two strings; deterministic, so a model ref can be a key or a singleton side input. */
public final class ModelRefCoder extends AtomicCoder<ModelRef> {
  private static final ModelRefCoder INSTANCE = new ModelRefCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  public static ModelRefCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ModelRef value, OutputStream out) throws IOException {
    STRING.encode(value.id(), out);
    STRING.encode(value.location(), out);
  }

  @Override
  public ModelRef decode(InputStream in) throws IOException {
    return ModelRef.of(STRING.decode(in), STRING.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
