package dev.meshflow.transforms.inference;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.SerializableFunction;

/** The decorators behind {@link ModelHandler}'s hooks; each forwards everything else. */
final class Handlers {
  private Handlers() {}

  abstract static class Forwarding<I, O, M, J, P> implements ModelHandler<J, P, M> {
    final ModelHandler<I, O, M> inner;

    Forwarding(ModelHandler<I, O, M> inner) {
      this.inner = inner;
    }

    @Override
    public M load(ModelRef ref) throws Exception {
      return inner.load(ref);
    }

    @Override
    public BatchBounds bounds() {
      return inner.bounds();
    }

    @Override
    public String metricsNamespace() {
      return inner.metricsNamespace();
    }

    @Override
    public void release(M model) throws Exception {
      inner.release(model);
    }

    @Override
    public String cacheKey() {
      return inner.cacheKey();
    }
  }

  static final class Bounded<I, O, M> extends Forwarding<I, O, M, I, O> {
    private final BatchBounds bounds;

    Bounded(ModelHandler<I, O, M> inner, BatchBounds bounds) {
      super(inner);
      this.bounds = bounds;
    }

    @Override
    public List<O> infer(List<I> batch, M model) throws Exception {
      return inner.infer(batch, model);
    }

    @Override
    public Coder<O> outputCoder() {
      return inner.outputCoder();
    }

    @Override
    public BatchBounds bounds() {
      return bounds;
    }

    @Override
    public String describe(I input) {
      return inner.describe(input);
    }
  }

  static final class Preprocessed<A, I, O, M> extends Forwarding<I, O, M, A, O> {
    private final SerializableFunction<A, I> preprocess;

    Preprocessed(ModelHandler<I, O, M> inner, SerializableFunction<A, I> preprocess) {
      super(inner);
      this.preprocess = preprocess;
    }

    @Override
    public List<O> infer(List<A> batch, M model) throws Exception {
      List<I> inputs = new ArrayList<>(batch.size());
      for (A a : batch) {
        inputs.add(preprocess.apply(a));
      }
      return inner.infer(inputs, model);
    }

    @Override
    public Coder<O> outputCoder() {
      return inner.outputCoder();
    }
  }

  static final class Postprocessed<I, O, P, M> extends Forwarding<I, O, M, I, P> {
    private final SerializableFunction<O, P> postprocess;
    private final Coder<P> coder;

    Postprocessed(ModelHandler<I, O, M> inner, SerializableFunction<O, P> postprocess, Coder<P> coder) {
      super(inner);
      this.postprocess = postprocess;
      this.coder = coder;
    }

    @Override
    public List<P> infer(List<I> batch, M model) throws Exception {
      List<O> raw = inner.infer(batch, model);
      List<P> out = new ArrayList<>(raw.size());
      for (O o : raw) {
        out.add(postprocess.apply(o));
      }
      return out;
    }

    @Override
    public Coder<P> outputCoder() {
      return coder;
    }

    @Override
    public String describe(I input) {
      return inner.describe(input);
    }
  }
}
