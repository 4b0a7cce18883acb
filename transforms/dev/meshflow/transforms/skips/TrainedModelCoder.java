package dev.meshflow.transforms.skips;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** A trained model as its card's JSON and its ONNX bytes. */
public final class TrainedModelCoder extends AtomicCoder<SkipTrainer.Trained> {
  private static final TrainedModelCoder INSTANCE = new TrainedModelCoder();

  public static TrainedModelCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(SkipTrainer.Trained t, OutputStream out) throws IOException {
    StringUtf8Coder.of().encode(t.card.toJson(), out);
    ByteArrayCoder.of().encode(t.onnx, out);
  }

  @Override
  public SkipTrainer.Trained decode(InputStream in) throws IOException {
    return new SkipTrainer.Trained(SkipModelCard.fromJson(StringUtf8Coder.of().decode(in)),
        ByteArrayCoder.of().decode(in));
  }
}
