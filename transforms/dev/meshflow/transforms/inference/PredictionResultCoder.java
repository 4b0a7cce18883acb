package dev.meshflow.transforms.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.StructuredCoder;

/**
 * Example, inference and model id, each with its own coder. Generic over the example and the
 * inference, which a schema cannot be inferred for.
 */
public final class PredictionResultCoder<I, O> extends StructuredCoder<PredictionResult<I, O>> {
  private final Coder<I> exampleCoder;
  private final Coder<O> inferenceCoder;

  private PredictionResultCoder(Coder<I> exampleCoder, Coder<O> inferenceCoder) {
    this.exampleCoder = exampleCoder;
    this.inferenceCoder = inferenceCoder;
  }

  public static <I, O> PredictionResultCoder<I, O> of(Coder<I> exampleCoder, Coder<O> inferenceCoder) {
    return new PredictionResultCoder<>(exampleCoder, inferenceCoder);
  }

  @Override
  public void encode(PredictionResult<I, O> value, OutputStream out) throws IOException {
    exampleCoder.encode(value.example(), out);
    inferenceCoder.encode(value.inference(), out);
    StringUtf8Coder.of().encode(value.modelId(), out);
  }

  @Override
  public PredictionResult<I, O> decode(InputStream in) throws IOException {
    I example = exampleCoder.decode(in);
    O inference = inferenceCoder.decode(in);
    return new PredictionResult<>(example, inference, StringUtf8Coder.of().decode(in));
  }

  @Override
  public List<? extends Coder<?>> getCoderArguments() {
    return List.of(exampleCoder, inferenceCoder);
  }

  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    verifyDeterministic(this, "example", exampleCoder);
    verifyDeterministic(this, "inference", inferenceCoder);
  }
}
