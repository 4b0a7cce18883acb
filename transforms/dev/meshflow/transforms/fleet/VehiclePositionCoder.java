package dev.meshflow.transforms.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * A compact, deterministic coder for {@link VehiclePosition}; no Java serialization. Kept over a
 * Beam schema: the inferred schema coder ran at 0.55 of its throughput (docs/benchmarks.md, "Coders").
 */
public final class VehiclePositionCoder extends CustomCoder<VehiclePosition> {
  private static final VehiclePositionCoder INSTANCE = new VehiclePositionCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final NullableCoder<String> NULLABLE_STRING = NullableCoder.of(STRING);
  private static final DoubleCoder DOUBLE = DoubleCoder.of();
  private static final NullableCoder<Double> NULLABLE_DOUBLE = NullableCoder.of(DOUBLE);
  private static final VarLongCoder LONG = VarLongCoder.of();
  private static final VarIntCoder INT = VarIntCoder.of();
  private static final BooleanCoder BOOLEAN = BooleanCoder.of();
  private static final ByteArrayCoder BYTES = ByteArrayCoder.of();

  public static VehiclePositionCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(VehiclePosition p, OutputStream out) throws IOException {
    STRING.encode(p.vehicleId, out);
    LONG.encode(p.tsMillis, out);
    DOUBLE.encode(p.lat, out);
    DOUBLE.encode(p.lon, out);
    NULLABLE_DOUBLE.encode(p.speedKmh, out);
    BOOLEAN.encode(p.speedFilled, out);
    NULLABLE_STRING.encode(p.zoneId, out);
    INT.encode(p.limitKmh, out);
    NULLABLE_STRING.encode(p.exitedZoneId, out);
    STRING.encode(p.origin, out);
    BYTES.encode(p.payload, out);
  }

  @Override
  public VehiclePosition decode(InputStream in) throws IOException {
    return new VehiclePosition(STRING.decode(in), LONG.decode(in), DOUBLE.decode(in),
        DOUBLE.decode(in), NULLABLE_DOUBLE.decode(in), BOOLEAN.decode(in),
        NULLABLE_STRING.decode(in), INT.decode(in), NULLABLE_STRING.decode(in), STRING.decode(in),
        BYTES.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
