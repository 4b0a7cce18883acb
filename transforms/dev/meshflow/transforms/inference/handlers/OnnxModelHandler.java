package dev.meshflow.transforms.inference.handlers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.meshflow.transforms.inference.BatchBounds;
import dev.meshflow.transforms.inference.FloatArrayCoder;
import dev.meshflow.transforms.inference.ModelBytes;
import dev.meshflow.transforms.inference.ModelHandler;
import dev.meshflow.transforms.inference.ModelRef;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;

/**
 * Any ONNX model whose input is a float tensor {@code [batch, features]}: each example is a float
 * vector, each inference the matching row of the model's output (a 1-D output gives one value).
 * The session is created once per JVM and model; ONNX Runtime allows concurrent runs on it.
 *
 * <p>Each run uses one thread by default ({@link #withIntraOpThreads}). The engine already runs
 * one inference per worker thread, and ONNX Runtime's own default (a thread per core for every
 * run) makes those threads fight over the cores: measured on two cores with the 256-factor
 * factorization machine, two callers took 1.0-1.3 s per million rows with one thread per run
 * against 1.4-2.0 s with the default (see docs/benchmarks.md).
 */
public final class OnnxModelHandler implements ModelHandler<float[], float[], OnnxModelHandler.Session> {
  private final String inputName;
  private final String outputName;
  private final BatchBounds bounds;
  private final String namespace;
  private final int intraOpThreads;

  private OnnxModelHandler(String inputName, String outputName, BatchBounds bounds, String namespace,
      int intraOpThreads) {
    this.inputName = inputName;
    this.outputName = outputName;
    this.bounds = bounds;
    this.namespace = namespace;
    this.intraOpThreads = intraOpThreads;
  }

  /** The model's first input and first output, default bounds, metrics under "RunInference". */
  public static OnnxModelHandler create() {
    return new OnnxModelHandler(null, null, BatchBounds.defaults(), "RunInference", 1);
  }

  public OnnxModelHandler withNames(String input, String output) {
    return new OnnxModelHandler(input, output, bounds, namespace, intraOpThreads);
  }

  @Override
  public OnnxModelHandler withBounds(BatchBounds bounds) {
    return new OnnxModelHandler(inputName, outputName, bounds, namespace, intraOpThreads);
  }

  public OnnxModelHandler withMetricsNamespace(String namespace) {
    return new OnnxModelHandler(inputName, outputName, bounds, namespace, intraOpThreads);
  }

  /**
   * Threads ONNX Runtime may use inside one run: 1 (the default) where the engine runs several
   * inferences at once, more for a large model on few workers; 0 for ONNX Runtime's own default.
   */
  public OnnxModelHandler withIntraOpThreads(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("intra-op threads must be 0 (ONNX Runtime's default) or more, got " + threads);
    }
    return new OnnxModelHandler(inputName, outputName, bounds, namespace, threads);
  }

  /** A loaded model: the session and the names it is run with. */
  public static final class Session implements AutoCloseable {
    final OrtSession session;
    final String input;
    final String output;
    final int features;

    Session(OrtSession session, String input, String output) throws OrtException {
      this.session = session;
      this.input = input;
      this.output = output;
      long[] shape = ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
      this.features = shape.length == 2 && shape[1] > 0 ? (int) shape[1] : -1;
    }

    @Override
    public void close() throws OrtException {
      session.close();
    }
  }

  @Override
  public Session load(ModelRef ref) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      session = env.createSession(ModelBytes.read(ref.location()), options);
    }
    String in = inputName != null ? inputName : session.getInputNames().iterator().next();
    String out = outputName != null ? outputName : session.getOutputNames().iterator().next();
    if (!session.getInputNames().contains(in) || !session.getOutputNames().contains(out)) {
      session.close();
      throw new IllegalArgumentException(ref + ": the model has inputs " + session.getInputNames()
          + " and outputs " + session.getOutputNames() + ", not " + in + " and " + out);
    }
    return new Session(session, in, out);
  }

  @Override
  public List<float[]> infer(List<float[]> batch, Session model) throws OrtException {
    int width = batch.get(0).length;
    if (model.features > 0 && width != model.features) {
      throw new IllegalArgumentException("the model takes " + model.features + " features, got " + width);
    }
    FloatBuffer data = FloatBuffer.allocate(batch.size() * width);
    for (float[] row : batch) {
      if (row.length != width) {
        throw new IllegalArgumentException("examples of " + width + " and " + row.length + " features in one batch");
      }
      data.put(row);
    }
    data.flip();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, data, new long[] {batch.size(), width});
        OrtSession.Result result = model.session.run(Map.of(model.input, tensor), java.util.Set.of(model.output))) {
      OnnxValue value = result.get(0);
      Object out = value.getValue();
      List<float[]> rows = new ArrayList<>(batch.size());
      if (out instanceof float[][]) {
        rows.addAll(Arrays.asList((float[][]) out));
      } else if (out instanceof float[]) {
        for (float f : (float[]) out) {
          rows.add(new float[] {f});
        }
      } else {
        throw new IllegalStateException("output " + model.output + " is " + value.getInfo() + ", not a float tensor");
      }
      return rows;
    }
  }

  @Override
  public Coder<float[]> outputCoder() {
    return FloatArrayCoder.of();
  }

  @Override
  public BatchBounds bounds() {
    return bounds;
  }

  @Override
  public String metricsNamespace() {
    return namespace;
  }

  @Override
  public String describe(float[] input) {
    return Arrays.toString(input);
  }

  @Override
  public String cacheKey() {
    return getClass().getName() + "/" + inputName + "/" + outputName + "/threads=" + intraOpThreads;
  }
}
