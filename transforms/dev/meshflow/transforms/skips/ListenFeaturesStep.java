package dev.meshflow.transforms.skips;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.util.function.Consumer;

/**
 * Per user (users share state buckets, see {@link SkipSignals}), in event-time order: each play
 * becomes a {@link Listen} with features from what came before it (never from its own outcome),
 * its item's recent behaviour included ({@link ItemFeaturesStep}), then counts towards the user's
 * history.
 */
public final class ListenFeaturesStep implements OrderedPerKey.Step<ItemContext, UserHistory.Bucket, Listen> {
  private final TasteAttributes taste;

  /** @param taste where cohorts and genres come from; products' are set after this step instead */
  public ListenFeaturesStep(TasteAttributes taste) {
    this.taste = taste;
  }

  @Override
  public UserHistory.Bucket start() {
    return new UserHistory.Bucket();
  }

  @Override
  public int tieBreak(ItemContext a, ItemContext b) {
    return a.event.eventId().compareTo(b.event.eventId());
  }

  @Override
  public void step(UserHistory.Bucket bucket, ItemContext item, long tsMillis, Consumer<Listen> out) {
    InteractionEvent e = item.event;
    UserHistory h = bucket.of(e.userId());
    switch (e.eventType()) {
      case "play":
        String session = e.sessionId() == null ? "" : e.sessionId();
        if (!session.equals(h.session)) {
          h.session = session;
          h.position = 0;
        }
        out.accept(new Listen(e.eventId(), e.userId(), e.itemId(), session, tsMillis,
            SkipFeatures.vector(taste.cohort(e.userId()), taste.genre(e.itemId()), e.itemType(), e.device(),
                tsMillis, h.position, h.plays, h.skips, item.itemPopularity, item.itemSkipRate)));
        h.plays++;
        h.position++;
        break;
      case "skip":
        h.skips++;
        break;
      default:
        break;
    }
  }
}
