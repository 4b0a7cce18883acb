package dev.meshflow.transforms.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.Ticker;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.RunnerThreads;
import dev.meshflow.testing.TempFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model hot swap under load: a streaming job infers a paced sequence with the newest model in a
 * directory; a second model is published mid-run. Every element must be inferred exactly once,
 * by one model or the other, with that model's result, and the new model must take over.
 */
public class ModelHotSwapTest {
  private static final Duration RUN = Duration.standardSeconds(20);
  private static final Duration TICK = Duration.millis(2);

  @TempDir Path folder;

  @Test
  public void aNewModelIsPickedUpWhileRunningWithNoElementLostOrDuplicated() throws Exception {
    Path models = TempFiles.newFolder(folder, "models");
    publish(models, "model-0001.model", "2");
    String run = "hotswap";
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(
        RunnerArgs.forRunner("DirectRunner", "--streaming=true")).create());
    PCollectionView<ModelRef> newest = p
        .apply("WatchModels", FileSnapshots.namesMatching(models + "/*.model", true,
            Duration.millis(200), RUN.plus(Duration.standardSeconds(5))))
        .apply("NewestModel", NewestModel.endingWith(".model"));
    RunInference<Long, Long> ri = RunInference.watching(new ScalingHandler(run, BatchBounds.of(1, 200)),
        NewestModel.newest(List.of(models + "/model-0001.model"), ".model"), newest);
    // A paced source: one element every TICK for RUN, numbered by its tick.
    Instant start = Instant.now().plus(Duration.standardSeconds(2));
    PCollection<Long> numbers = p
        .apply("Ticks", Ticker.every(TICK, start).until(start.plus(RUN)))
        .apply("Number", MapElements.into(TypeDescriptors.longs())
            .via(t -> (t.getMillis() - start.getMillis()) / TICK.getMillis()));
    RunInferenceTest.collect(run + "/in", numbers.apply("InputText",
        MapElements.into(TypeDescriptors.strings()).via(String::valueOf)));
    PCollectionTuple out = numbers.apply(ri);
    RunInferenceTest.collect(run, out.get(ri.predictions())
        .apply(MapElements.into(TypeDescriptors.strings())
            .via(r -> r.example() + ":" + r.inference() + ":" + r.modelId())));
    RunInferenceTest.collect(run + "/failed", out.get(ri.failures())
        .apply("Reasons", MapElements.into(TypeDescriptors.strings()).via(d -> d.reason())));
    PipelineResult result = p.run();

    int elements = (int) (RUN.getMillis() / TICK.getMillis());
    // The probe also reports the inputs seen, so a timeout says whether the source or inference lagged.
    java.util.concurrent.Callable<List<Integer>> inferredAndSeen = () -> List.of(
        RunInferenceTest.SEEN.get(run).size(), RunInferenceTest.SEEN.get(run + "/in").size());
    Await.until("a quarter of the elements inferred (inferred, inputs seen)", java.time.Duration.ofSeconds(60),
        inferredAndSeen, n -> n.get(0) >= elements / 4);
    publish(models, "model-0002.model", "7");
    Await.until("every input inferred (inferred, inputs seen)", java.time.Duration.ofMinutes(4),
        inferredAndSeen, n -> n.get(1) > elements && n.get(0).equals(n.get(1)));
    // Its inputs have ended (the model watcher stops 3 s after the last tick), so the job must too.
    PipelineResult.State state = result.waitUntilFinish(Duration.standardMinutes(1));
    if (state == null) {
      String threads = RunnerThreads.summary();
      result.cancel();
      throw new AssertionError("the job had not ended a minute after its inputs; runner threads: "
          + threads.replace('\n', ';'));
    }
    assertEquals(PipelineResult.State.DONE, state);
    assertEquals(List.of(),
        RunInferenceTest.SEEN.get(run + "/failed").stream().distinct().collect(java.util.stream.Collectors.toList()), "no failed inference");
    List<String> seen = List.copyOf(RunInferenceTest.SEEN.get(run));
    Map<Long, String> byIndex = new HashMap<>();
    Map<String, Integer> perModel = new HashMap<>();
    for (String line : seen) {
      String[] f = line.split(":");
      long index = Long.parseLong(f[0]);
      long factor = f[2].equals("model-0001") ? 2 : f[2].equals("model-0002") ? 7 : -1;
      assertEquals(index * factor, Long.parseLong(f[1]), line);
      assertEquals(null, byIndex.put(index, f[2]), "inferred twice: " + index);
      perModel.merge(f[2], 1, Integer::sum);
    }
    java.util.Set<Long> inputs = new java.util.HashSet<>();
    RunInferenceTest.SEEN.get(run + "/in").forEach(v -> inputs.add(Long.parseLong(v)));
    assertEquals(inputs, byIndex.keySet(), "every element inferred exactly once");
    assertEquals(RunInferenceTest.SEEN.get(run + "/in").size(), seen.size(), "inputs");
    System.out.println("hot swap: " + inputs.size() + " elements, by model " + perModel);
    assertTrue(inputs.size() >= elements * 9 / 10, "the run lasted: " + inputs.size());
    assertTrue(perModel.getOrDefault("model-0001", 0) >= elements / 10, "the first model served the start: " + perModel);
    assertTrue(perModel.getOrDefault("model-0002", 0) >= elements / 10, "the new model took over: " + perModel);
    // After the swap the old model is no longer used: its last element precedes the new model's last.
    long lastOld = byIndex.entrySet().stream().filter(e -> e.getValue().equals("model-0001"))
        .mapToLong(Map.Entry::getKey).max().orElseThrow();
    assertTrue(lastOld < inputs.size() - elements / 10, "the old model stopped at " + lastOld);
  }

  /** Written under a temporary name and renamed, so the watcher never sees half a model. */
  private static void publish(Path dir, String name, String content) throws Exception {
    Path temp = dir.resolve("." + name + ".tmp");
    Files.writeString(temp, content);
    Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
  }
}
