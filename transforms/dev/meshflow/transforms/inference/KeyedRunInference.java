package dev.meshflow.transforms.inference;

import dev.meshflow.core.DeadLetter;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * RunInference with a model per key group, after Beam Python's KeyedModelHandler: {@code
 * groupOf} maps each key to a group, each group has its model, and batches never mix groups. Keys
 * are kept: the output is {@code KV<key, PredictionResult>}. All groups' models share the JVM's
 * model cache, which keeps the {@link SharedModels#CAPACITY} most recently used.
 */
public final class KeyedRunInference<K, I, O>
    extends PTransform<PCollection<KV<K, I>>, PCollectionTuple> {
  private final TupleTag<KV<K, PredictionResult<I, O>>> predictions = new TupleTag<>() {};
  private final TupleTag<DeadLetter> failures = new TupleTag<>() {};
  private final ModelHandler<I, O, ?> handler;
  private final SerializableFunction<K, String> groupOf;
  private final TreeMap<String, ModelRef> models;

  private KeyedRunInference(ModelHandler<I, O, ?> handler, SerializableFunction<K, String> groupOf,
      Map<String, ModelRef> models) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("a keyed RunInference needs at least one model group");
    }
    this.handler = handler;
    this.groupOf = groupOf;
    this.models = new TreeMap<>(models);
  }

  public static <K, I, O> KeyedRunInference<K, I, O> of(ModelHandler<I, O, ?> handler,
      SerializableFunction<K, String> groupOf, Map<String, ModelRef> modelsByGroup) {
    return new KeyedRunInference<>(handler, groupOf, modelsByGroup);
  }

  public TupleTag<KV<K, PredictionResult<I, O>>> predictions() {
    return predictions;
  }

  public TupleTag<DeadLetter> failures() {
    return failures;
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<K, I>> input) {
    return expandWith(handler, input);
  }

  private <M> PCollectionTuple expandWith(ModelHandler<I, O, M> h, PCollection<KV<K, I>> input) {
    KvCoder<K, I> coder = (KvCoder<K, I>) input.getCoder();
    BatchRunner<KV<K, I>, I, O, M, KV<K, PredictionResult<I, O>>> runner =
        new BatchRunner<>(h, new Keyed<>(groupOf, models), predictions, failures, RunInference.STAGE);
    return InferenceSteps.apply(input, runner, h.bounds(), 4, null, null, predictions, failures,
        KvCoder.of(coder.getKeyCoder(), PredictionResultCoder.of(coder.getValueCoder(), h.outputCoder())));
  }

  private static final class Keyed<K, I, O> implements Route<KV<K, I>, I, O, KV<K, PredictionResult<I, O>>> {
    private final SerializableFunction<K, String> groupOf;
    private final TreeMap<String, ModelRef> models;

    Keyed(SerializableFunction<K, String> groupOf, TreeMap<String, ModelRef> models) {
      this.groupOf = groupOf;
      this.models = models;
    }

    @Override
    public String group(KV<K, I> element) {
      return groupOf.apply(element.getKey());
    }

    @Override
    public I input(KV<K, I> element) {
      return element.getValue();
    }

    @Override
    public KV<K, PredictionResult<I, O>> result(KV<K, I> element, O inference, String modelId) {
      return KV.of(element.getKey(), new PredictionResult<>(element.getValue(), inference, modelId));
    }

    @Override
    public ModelRef model(String group, ModelRef watched) {
      return models.get(group); // none: the batch becomes dead letters, not a crash
    }
  }
}
