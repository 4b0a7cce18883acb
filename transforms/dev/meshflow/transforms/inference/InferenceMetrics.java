package dev.meshflow.transforms.inference;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/** Beam Python's RunInference metrics, under the handler's namespace. */
final class InferenceMetrics {
  final Counter inferences;
  final Counter failedBatches;
  final Counter failedInferences;
  final Counter modelLoads;
  final Distribution batchSize;
  final Distribution inferenceMillis;
  final Distribution loadModelMillis;

  InferenceMetrics(String namespace) {
    inferences = Metrics.counter(namespace, "num_inferences");
    failedBatches = Metrics.counter(namespace, "failed_batches");
    failedInferences = Metrics.counter(namespace, "failed_inferences");
    modelLoads = Metrics.counter(namespace, "model_loads");
    batchSize = Metrics.distribution(namespace, "batch_size");
    inferenceMillis = Metrics.distribution(namespace, "inference_batch_latency_millis");
    loadModelMillis = Metrics.distribution(namespace, "load_model_latency_millis");
  }
}
