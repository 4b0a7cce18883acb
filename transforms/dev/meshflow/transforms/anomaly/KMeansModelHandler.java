package dev.meshflow.transforms.anomaly;

import dev.meshflow.transforms.inference.BatchBounds;
import dev.meshflow.transforms.inference.ModelBytes;
import dev.meshflow.transforms.inference.ModelHandler;
import dev.meshflow.transforms.inference.ModelRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DoubleCoder;

/**
 * The anomaly job's k-means model ({@code kmeans-<window end>.json}) as a RunInference handler:
 * each example is a session's raw feature vector, each inference its anomaly score (distance over
 * the nearest cluster's threshold; above 1 is an anomaly).
 */
public final class KMeansModelHandler implements ModelHandler<double[], Double, KMeansModel> {
  private final BatchBounds bounds;

  private KMeansModelHandler(BatchBounds bounds) {
    this.bounds = bounds;
  }

  public static KMeansModelHandler create() {
    return new KMeansModelHandler(BatchBounds.defaults());
  }

  @Override
  public KMeansModelHandler withBounds(BatchBounds bounds) {
    return new KMeansModelHandler(bounds);
  }

  @Override
  public KMeansModel load(ModelRef ref) throws Exception {
    return KMeansModel.fromJson(new String(ModelBytes.read(ref.location()), StandardCharsets.UTF_8).trim());
  }

  @Override
  public List<Double> infer(List<double[]> batch, KMeansModel model) {
    List<Double> scores = new ArrayList<>(batch.size());
    for (double[] features : batch) {
      scores.add(model.score(features).value());
    }
    return scores;
  }

  @Override
  public Coder<Double> outputCoder() {
    return DoubleCoder.of();
  }

  @Override
  public BatchBounds bounds() {
    return bounds;
  }

  @Override
  public String metricsNamespace() {
    return "RunInference.kmeans";
  }

  @Override
  public String describe(double[] input) {
    return Arrays.toString(input);
  }
}
