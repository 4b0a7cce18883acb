package dev.meshflow.transforms.inference;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.VarIntCoder;

/** A float vector: its length, then IEEE-754 bits; exact and deterministic. */
public final class FloatArrayCoder extends AtomicCoder<float[]> {
  private static final FloatArrayCoder INSTANCE = new FloatArrayCoder();

  public static FloatArrayCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(float[] value, OutputStream out) throws IOException {
    VarIntCoder.of().encode(value.length, out);
    DataOutputStream data = new DataOutputStream(out);
    for (float f : value) {
      data.writeInt(Float.floatToRawIntBits(f));
    }
    data.flush();
  }

  @Override
  public float[] decode(InputStream in) throws IOException {
    int n = VarIntCoder.of().decode(in);
    DataInputStream data = new DataInputStream(in);
    float[] value = new float[n];
    for (int i = 0; i < n; i++) {
      value[i] = Float.intBitsToFloat(data.readInt());
    }
    return value;
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return false;
  }
}
