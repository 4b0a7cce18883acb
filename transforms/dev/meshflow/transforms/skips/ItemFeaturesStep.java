package dev.meshflow.transforms.skips;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.util.function.Consumer;

/**
 * Per item (items share state buckets), in event-time order: each play and skip goes on with its
 * item's recent behaviour before it (never from itself), then counts towards the item's history.
 * Other event types carry no skip signal and stop here.
 */
public final class ItemFeaturesStep implements OrderedPerKey.Step<InteractionEvent, ItemHistory.Bucket, ItemContext> {
  @Override
  public ItemHistory.Bucket start() {
    return new ItemHistory.Bucket();
  }

  @Override
  public int tieBreak(InteractionEvent a, InteractionEvent b) {
    return a.eventId().compareTo(b.eventId());
  }

  @Override
  public void step(ItemHistory.Bucket bucket, InteractionEvent e, long tsMillis, Consumer<ItemContext> out) {
    boolean play = e.eventType().equals("play");
    if (!play && !e.eventType().equals("skip")) {
      return;
    }
    ItemHistory h = bucket.of(e.itemId());
    out.accept(new ItemContext(e, h.popularity(tsMillis), h.skipRate(tsMillis)));
    if (play) {
      h.play(tsMillis);
    } else {
      h.skip(tsMillis);
    }
  }
}
