package dev.meshflow.transforms.inference;

import java.io.DataInputStream;
import java.nio.ByteBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.VarIntCoder;

/**
 * A float vector: its length, then IEEE-754 bits; exact and deterministic. Beam has no coder for
 * {@code float[]}; a schema boxes each float (see {@link dev.meshflow.transforms.inference.ModelRef}
 * for where a schema is the coder, and docs/benchmarks.md, "Coders", Listen, for what boxing costs).
 */
public final class FloatArrayCoder extends AtomicCoder<float[]> {
  private static final FloatArrayCoder INSTANCE = new FloatArrayCoder();

  public static FloatArrayCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(float[] value, OutputStream out) throws IOException {
    VarIntCoder.of().encode(value.length, out);
    ByteBuffer bytes = ByteBuffer.allocate(4 * value.length);
    bytes.asFloatBuffer().put(value);
    out.write(bytes.array());
  }

  @Override
  public float[] decode(InputStream in) throws IOException {
    int n = VarIntCoder.of().decode(in);
    byte[] bytes = new DataInputStream(in).readNBytes(4 * n);
    if (bytes.length != 4 * n) {
      throw new java.io.EOFException("a float vector of " + n + " ended after " + bytes.length + " bytes");
    }
    float[] value = new float[n];
    ByteBuffer.wrap(bytes).asFloatBuffer().get(value);
    return value;
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return false;
  }
}
