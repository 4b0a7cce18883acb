package dev.meshflow.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.meshflow.transforms.skips.Labeled;
import dev.meshflow.transforms.skips.Listen;
import dev.meshflow.transforms.skips.SkipFeatures;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/** A skip model's P(skip) for listens, straight from ONNX Runtime, as a test's reference. */
public final class SkipModelScores {
  private SkipModelScores() {}

  public static float[] of(byte[] onnx, List<Labeled<Listen>> rows) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions())) {
      FloatBuffer data = FloatBuffer.allocate(rows.size() * SkipFeatures.COUNT);
      rows.forEach(r -> data.put(r.value.features));
      data.flip();
      try (OnnxTensor t = OnnxTensor.createTensor(env, data, new long[] {rows.size(), SkipFeatures.COUNT});
          OrtSession.Result res = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
        float[][] out = (float[][]) res.get(0).getValue();
        float[] p = new float[out.length];
        for (int i = 0; i < p.length; i++) {
          p[i] = out[i][1];
        }
        return p;
      }
    }
  }
}
