package dev.meshflow.transforms.recommendations;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.recommendations.RecommenderRules.Play;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * A user's latest {@link RecommenderRules#RECENT} plays and every item skipped, as a combine:
 * the latest plays are a top-N by time, the skips a set, so partial results merge in any order.
 */
final class UserHistoryFn extends Combine.CombineFn<InteractionEvent, UserHistoryFn.History, UserHistoryFn.History> {

  /** Latest plays, newest first, and skipped items in id order. */
  static final class History {
    final List<Play> recent = new ArrayList<>();
    final TreeSet<String> skipped = new TreeSet<>();
    /** How many events went into it: how far the history has got, for its row's version. */
    long events;

    void addPlay(Play play) {
      recent.add(play);
      recent.sort(RecommenderRules.NEWEST_FIRST);
      if (recent.size() > RecommenderRules.RECENT) {
        recent.remove(recent.size() - 1);
      }
    }
  }

  @Override
  public History createAccumulator() {
    return new History();
  }

  @Override
  public History addInput(History history, InteractionEvent event) {
    history.events++;
    if (Recommendations.isSkip(event)) {
      history.skipped.add(event.itemId());
    } else {
      history.addPlay(new Play(event.itemId(), event.timestampMillis()));
    }
    return history;
  }

  @Override
  public History mergeAccumulators(Iterable<History> histories) {
    History merged = new History();
    for (History h : histories) {
      h.recent.forEach(merged::addPlay);
      merged.skipped.addAll(h.skipped);
      merged.events += h.events;
    }
    return merged;
  }

  @Override
  public History extractOutput(History history) {
    return history;
  }

  @Override
  public Coder<History> getAccumulatorCoder(CoderRegistry registry, Coder<InteractionEvent> input) {
    return HistoryCoder.INSTANCE;
  }

  @Override
  public Coder<History> getDefaultOutputCoder(CoderRegistry registry, Coder<InteractionEvent> input) {
    return HistoryCoder.INSTANCE;
  }

  static final class HistoryCoder extends CustomCoder<History> {
    static final HistoryCoder INSTANCE = new HistoryCoder();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final VarIntCoder COUNT = VarIntCoder.of();
    private static final VarLongCoder TIME = VarLongCoder.of();
    private static final VarLongCoder EVENTS = VarLongCoder.of();

    @Override
    public void encode(History h, OutputStream out) throws IOException {
      COUNT.encode(h.recent.size(), out);
      for (Play p : h.recent) {
        STRING.encode(p.item(), out);
        TIME.encode(p.timeMillis(), out);
      }
      COUNT.encode(h.skipped.size(), out);
      for (String item : h.skipped) {
        STRING.encode(item, out);
      }
      EVENTS.encode(h.events, out);
    }

    @Override
    public History decode(InputStream in) throws IOException {
      History h = new History();
      for (int i = COUNT.decode(in); i > 0; i--) {
        h.recent.add(new Play(STRING.decode(in), TIME.decode(in)));
      }
      for (int i = COUNT.decode(in); i > 0; i--) {
        h.skipped.add(STRING.decode(in));
      }
      h.events = EVENTS.decode(in);
      return h;
    }
  }
}
