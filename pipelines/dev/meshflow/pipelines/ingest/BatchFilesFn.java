package dev.meshflow.pipelines.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Batch mode's batching: the whole listing, grouped once, split into batches of at most {@code
 * size} paths in path order. Streaming uses {@code GroupIntoBatches}, which needs state and timers
 * the Spark runner does not run; a finite listing needs neither.
 */
final class BatchFilesFn extends DoFn<KV<String, Iterable<String>>, KV<String, Iterable<String>>> {
  private final int size;

  BatchFilesFn(int size) {
    this.size = size;
  }

  @ProcessElement
  public void process(@Element KV<String, Iterable<String>> listing,
      OutputReceiver<KV<String, Iterable<String>>> out) {
    TreeSet<String> paths = new TreeSet<>();
    listing.getValue().forEach(paths::add);
    List<String> batch = new ArrayList<>(size);
    for (String path : paths) {
      batch.add(path);
      if (batch.size() == size) {
        out.output(KV.of(listing.getKey(), batch));
        batch = new ArrayList<>(size);
      }
    }
    if (!batch.isEmpty()) {
      out.output(KV.of(listing.getKey(), batch));
    }
  }
}
