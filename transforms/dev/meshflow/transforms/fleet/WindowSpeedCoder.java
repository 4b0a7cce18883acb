package dev.meshflow.transforms.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * A compact coder for {@link WindowSpeed}: there are several per position (sliding windows). Kept
 * over a Beam schema, which ran at 0.47 to 0.78 of the hand-written coders for every shape measured
 * (docs/benchmarks.md, "Coders").
 */
public final class WindowSpeedCoder extends CustomCoder<WindowSpeed> {
  private static final WindowSpeedCoder INSTANCE = new WindowSpeedCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final NullableCoder<String> NULLABLE_STRING = NullableCoder.of(STRING);
  private static final VarLongCoder LONG = VarLongCoder.of();
  private static final DoubleCoder DOUBLE = DoubleCoder.of();
  private static final VarIntCoder INT = VarIntCoder.of();

  public static WindowSpeedCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(WindowSpeed w, OutputStream out) throws IOException {
    STRING.encode(w.vehicleId, out);
    LONG.encode(w.windowStartMillis, out);
    LONG.encode(w.windowEndMillis, out);
    DOUBLE.encode(w.avgKmh, out);
    LONG.encode(w.points, out);
    NULLABLE_STRING.encode(w.zoneId, out);
    INT.encode(w.limitKmh, out);
    DOUBLE.encode(w.lastLat, out);
    DOUBLE.encode(w.lastLon, out);
  }

  @Override
  public WindowSpeed decode(InputStream in) throws IOException {
    return new WindowSpeed(STRING.decode(in), LONG.decode(in), LONG.decode(in), DOUBLE.decode(in),
        LONG.decode(in), NULLABLE_STRING.decode(in), INT.decode(in), DOUBLE.decode(in), DOUBLE.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
