package dev.meshflow.transforms.inference;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * A model that multiplies by a factor: read from the model file, or, without one, from the id
 * ("x3"). It records every batch it runs, per run, so tests can check batching; a batch holding a
 * negative number fails, as a model refusing its input would.
 */
final class ScalingHandler implements ModelHandler<Long, Long, Long> {
  static final Map<String, Queue<List<Long>>> BATCHES = new ConcurrentHashMap<>();
  static final Map<String, AtomicInteger> LOADS = new ConcurrentHashMap<>();

  private final String run;
  private final BatchBounds bounds;

  ScalingHandler(String run, BatchBounds bounds) {
    this.run = run;
    this.bounds = bounds;
    BATCHES.put(run, new ConcurrentLinkedQueue<>());
    LOADS.put(run, new AtomicInteger());
  }

  static List<List<Long>> batches(String run) {
    return new ArrayList<>(BATCHES.get(run));
  }

  @Override
  public Long load(ModelRef ref) throws Exception {
    LOADS.get(run).incrementAndGet();
    String factor = ref.location().isEmpty()
        ? ref.id().substring(ref.id().indexOf('x') + 1)
        : new String(ModelBytes.read(ref.location()), StandardCharsets.UTF_8).trim();
    return Long.parseLong(factor);
  }

  @Override
  public List<Long> infer(List<Long> batch, Long factor) {
    BATCHES.get(run).add(List.copyOf(batch));
    List<Long> out = new ArrayList<>(batch.size());
    for (long v : batch) {
      if (v < 0) {
        throw new IllegalArgumentException("negative input " + v);
      }
      out.add(v * factor);
    }
    return out;
  }

  @Override
  public Coder<Long> outputCoder() {
    return VarLongCoder.of();
  }

  @Override
  public BatchBounds bounds() {
    return bounds;
  }

  @Override
  public String cacheKey() {
    return "scaling/" + run; // each test run loads its own models, so load counts are its own
  }
}
