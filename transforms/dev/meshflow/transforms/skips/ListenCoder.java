package dev.meshflow.transforms.skips;

import dev.meshflow.transforms.inference.FloatArrayCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * A listen and its feature vector, one per play. Kept over a Beam schema, which boxes each float:
 * the inferred schema coder ran at 0.25 of its throughput (docs/benchmarks.md, "Coders").
 */
public final class ListenCoder extends AtomicCoder<Listen> {
  private static final ListenCoder INSTANCE = new ListenCoder();
  private static final StringUtf8Coder S = StringUtf8Coder.of();

  public static ListenCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(Listen l, OutputStream out) throws IOException {
    S.encode(l.listenId, out);
    S.encode(l.userId, out);
    S.encode(l.itemId, out);
    S.encode(l.sessionId, out);
    VarLongCoder.of().encode(l.tsMillis, out);
    FloatArrayCoder.of().encode(l.features, out);
  }

  @Override
  public Listen decode(InputStream in) throws IOException {
    return new Listen(S.decode(in), S.decode(in), S.decode(in), S.decode(in), VarLongCoder.of().decode(in),
        FloatArrayCoder.of().decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
