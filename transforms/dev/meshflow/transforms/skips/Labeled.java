package dev.meshflow.transforms.skips;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StructuredCoder;

/** A play (or its prediction) with what really happened: skipped or listened on. */
public final class Labeled<V> {
  public final V value;
  public final boolean skipped;

  public Labeled(V value, boolean skipped) {
    this.value = Objects.requireNonNull(value);
    this.skipped = skipped;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Labeled && ((Labeled<?>) o).value.equals(value) && ((Labeled<?>) o).skipped == skipped;
  }

  @Override
  public int hashCode() {
    return value.hashCode() * 2 + (skipped ? 1 : 0);
  }

  @Override
  public String toString() {
    return (skipped ? "skipped " : "listened ") + value;
  }

  /** Generic over the labelled value, which a schema cannot be inferred for. */
  public static final class LabeledCoder<V> extends StructuredCoder<Labeled<V>> {
    private final Coder<V> valueCoder;

    private LabeledCoder(Coder<V> valueCoder) {
      this.valueCoder = valueCoder;
    }

    public static <V> LabeledCoder<V> of(Coder<V> valueCoder) {
      return new LabeledCoder<>(valueCoder);
    }

    @Override
    public void encode(Labeled<V> l, OutputStream out) throws IOException {
      valueCoder.encode(l.value, out);
      BooleanCoder.of().encode(l.skipped, out);
    }

    @Override
    public Labeled<V> decode(InputStream in) throws IOException {
      return new Labeled<>(valueCoder.decode(in), BooleanCoder.of().decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(valueCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(this, "value", valueCoder);
    }
  }
}
