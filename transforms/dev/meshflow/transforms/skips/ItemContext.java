package dev.meshflow.transforms.skips;

import dev.meshflow.transforms.interactions.InteractionEvent;
import java.util.Objects;

/** An event with its item's recent behaviour just before it ({@link ItemHistory}). */
public final class ItemContext {
  public final InteractionEvent event;
  public final float itemPopularity;
  public final float itemSkipRate;

  public ItemContext(InteractionEvent event, float itemPopularity, float itemSkipRate) {
    this.event = Objects.requireNonNull(event);
    this.itemPopularity = itemPopularity;
    this.itemSkipRate = itemSkipRate;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ItemContext)) {
      return false;
    }
    ItemContext c = (ItemContext) o;
    return event.equals(c.event) && Float.compare(itemPopularity, c.itemPopularity) == 0
        && Float.compare(itemSkipRate, c.itemSkipRate) == 0;
  }

  @Override
  public int hashCode() {
    return event.hashCode();
  }

  @Override
  public String toString() {
    return event + " item popularity " + itemPopularity + ", skip rate " + itemSkipRate;
  }
}
