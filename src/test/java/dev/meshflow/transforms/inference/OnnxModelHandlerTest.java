package dev.meshflow.transforms.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.inference.handlers.OnnxModelHandler;
import dev.meshflow.transforms.skips.Labeled;
import dev.meshflow.transforms.skips.Listen;
import dev.meshflow.transforms.skips.SkipTrainer;
import dev.meshflow.transforms.skips.model.SkipSignalsModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX handler on a real model exported by Tribuo: the number of ONNX Runtime threads per run
 * changes nothing in the results, sessions with different thread settings are never shared, and
 * examples of the wrong width are refused with the model's width named.
 */
public class OnnxModelHandlerTest {
  @TempDir Path tmp;

  @Test
  public void threadsPerRunChangeNoResultAndAreNeverSharedAcrossSettings() throws Exception {
    List<Labeled<Listen>> rows = SkipSignalsModel.of(GeneratedInput.records(
        "generator:interactions?events=3000&seed=5&eventsPerSecond=10&taste=1", 3000), 30_000).labelled();
    SkipTrainer.Trained trained = new SkipTrainer(SkipTrainer.Kind.LOGISTIC, 3, 1).train(rows, 0, 1, "test");
    Path file = tmp.resolve(trained.card.id + ".onnx");
    Files.write(file, trained.onnx);
    ModelRef ref = ModelRef.of(trained.card.id, file.toString());
    List<float[]> batch = new ArrayList<>();
    for (int i = 0; i < Math.min(300, rows.size()); i++) {
      batch.add(rows.get(i).value.features);
    }

    OnnxModelHandler onePerRun = OnnxModelHandler.create();
    OnnxModelHandler runtimeDefault = OnnxModelHandler.create().withIntraOpThreads(0);
    List<float[]> a;
    List<float[]> b;
    try (OnnxModelHandler.Session s = onePerRun.load(ref)) {
      a = onePerRun.infer(batch, s);
      IllegalArgumentException wrongWidth = assertThrows(IllegalArgumentException.class,
          () -> onePerRun.infer(List.of(new float[3]), s));
      assertTrue(wrongWidth.getMessage().contains(
          "the model takes " + batch.get(0).length + " features, got 3"), wrongWidth.getMessage());
    }
    try (OnnxModelHandler.Session s = runtimeDefault.load(ref)) {
      b = runtimeDefault.infer(batch, s);
    }
    assertEquals(batch.size(), a.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i), 1e-6f);
      assertEquals(1.0, a.get(i)[0] + a.get(i)[1], 1e-5, "two class probabilities summing to one");
    }
    assertNotEquals(onePerRun.cacheKey(), runtimeDefault.cacheKey());
    assertThrows(IllegalArgumentException.class, () -> OnnxModelHandler.create().withIntraOpThreads(-1));
  }
}
