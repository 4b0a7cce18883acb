package dev.meshflow.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * A compact, deterministic coder for {@link DeadLetter}. Kept over a Beam schema: the inferred
 * schema coder ran at 0.72 of its throughput (docs/benchmarks.md, "Coders").
 */
public final class DeadLetterCoder extends CustomCoder<DeadLetter> {
  private static final DeadLetterCoder INSTANCE = new DeadLetterCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final ByteArrayCoder BYTES = ByteArrayCoder.of();
  private static final VarLongCoder LONG = VarLongCoder.of();
  private static final NullableCoder<Long> NULLABLE_LONG = NullableCoder.of(VarLongCoder.of());

  public static DeadLetterCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(DeadLetter d, OutputStream out) throws IOException {
    STRING.encode(d.stage(), out);
    STRING.encode(d.reason(), out);
    STRING.encode(d.origin(), out);
    BYTES.encode(d.payload(), out);
    NULLABLE_LONG.encode(d.eventTimeMillis(), out);
    LONG.encode(d.failedAtMillis(), out);
  }

  @Override
  public DeadLetter decode(InputStream in) throws IOException {
    return new DeadLetter(
        STRING.decode(in), STRING.decode(in), STRING.decode(in), BYTES.decode(in),
        NULLABLE_LONG.decode(in), LONG.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
