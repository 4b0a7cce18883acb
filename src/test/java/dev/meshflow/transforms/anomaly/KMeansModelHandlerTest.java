package dev.meshflow.transforms.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.transforms.inference.ModelRef;
import dev.meshflow.transforms.inference.RunInference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The anomaly job's k-means model served through RunInference scores as the model itself does. */
public class KMeansModelHandlerTest {
  @TempDir Path tmp;

  @Test
  public void scoresEqualTheModelsOwn() throws Exception {
    KMeansModel model = new KMeansModel(0, 3_600_000, 100, 0.99, new double[] {1, 2, 0.5, 3, -1},
        new double[] {2, 1, 0.25, 1, 0.5}, new double[][] {{0, 0, 0, 0, 0}, {2, 2, 2, 2, 2}},
        new double[][] {{1, 1, 1, 1, 1}, {0.5, 1, 2, 1, 0.5}}, new double[] {2.5, 3}, new long[] {60, 40}, 0);
    Path file = tmp.resolve(model.id + ".json");
    Files.writeString(file, model.toJson());
    List<double[]> sessions = new ArrayList<>();
    Map<String, Double> expected = new HashMap<>();
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    for (int i = 0; i < 500; i++) {
      double[] f = {r.nextDouble(0, 10), r.nextDouble(0, 5), r.nextDouble(), r.nextDouble(0, 8), r.nextDouble(-3, 1)};
      sessions.add(f);
      expected.put(java.util.Arrays.toString(f), model.score(f).value());
    }
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner("DirectRunner")).create());
    RunInference<double[], Double> ri = RunInference.of(KMeansModelHandler.create(), ModelRef.of(model.id, file.toString()));
    List<String> scored = new ArrayList<>();
    expected.forEach((k, v) -> scored.add(k + "=" + v + "@" + model.id));
    PAssert.that(p.apply(Create.of(sessions).withCoder(SerializableCoder.of(double[].class)))
        .apply(ri).get(ri.predictions())
        .apply(MapElements.into(TypeDescriptors.strings())
            .via(pr -> java.util.Arrays.toString(pr.example()) + "=" + pr.inference() + "@" + pr.modelId())))
        .containsInAnyOrder(scored);
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }
}
