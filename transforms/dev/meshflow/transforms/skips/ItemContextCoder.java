package dev.meshflow.transforms.skips;

import dev.meshflow.transforms.interactions.InteractionEventCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.FloatCoder;

/**
 * A play with its item's popularity and skip rate, one per play: {@link InteractionEventCoder}
 * (kept over a schema, measured) and two floats.
 */
public final class ItemContextCoder extends AtomicCoder<ItemContext> {
  private static final ItemContextCoder INSTANCE = new ItemContextCoder();
  private static final FloatCoder F = FloatCoder.of();

  public static ItemContextCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ItemContext c, OutputStream out) throws IOException {
    InteractionEventCoder.of().encode(c.event, out);
    F.encode(c.itemPopularity, out);
    F.encode(c.itemSkipRate, out);
  }

  @Override
  public ItemContext decode(InputStream in) throws IOException {
    return new ItemContext(InteractionEventCoder.of().decode(in), F.decode(in), F.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
