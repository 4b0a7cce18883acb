package dev.meshflow.transforms.skips;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.util.function.Consumer;

/**
 * Per user, in event-time order: each play becomes a {@link Listen} with features from what came
 * before it (never from its own outcome), then counts towards the user's history.
 */
public final class ListenFeaturesStep implements OrderedPerKey.Step<InteractionEvent, UserHistory, Listen> {
  @Override
  public UserHistory start() {
    return new UserHistory();
  }

  @Override
  public int tieBreak(InteractionEvent a, InteractionEvent b) {
    return a.eventId().compareTo(b.eventId());
  }

  @Override
  public void step(UserHistory h, InteractionEvent e, long tsMillis, Consumer<Listen> out) {
    switch (e.eventType()) {
      case "play":
        String session = e.sessionId() == null ? "" : e.sessionId();
        if (!session.equals(h.session)) {
          h.session = session;
          h.position = 0;
        }
        out.accept(new Listen(e.eventId(), e.userId(), e.itemId(), session, tsMillis,
            SkipFeatures.vector(e.userId(), e.itemId(), e.itemType(), e.device(), tsMillis, h.position,
                h.plays, h.skips)));
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
