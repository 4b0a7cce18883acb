package dev.meshflow.transforms.interactions;

import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Windowed events to per-item statistics: plays, skips, likes, playlist adds and exact distinct
 * users, one result per item per window firing. Windowing is applied by the caller, so the same
 * transform serves batch and streaming.
 */
public final class CountItemStats
    extends PTransform<PCollection<InteractionEvent>, PCollection<ItemMinuteStats>> {

  @Override
  public PCollection<ItemMinuteStats> expand(PCollection<InteractionEvent> events) {
    return events
        .apply("KeyByItem",
            WithKeys.<String, InteractionEvent>of(InteractionEvent::itemId)
                .withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), InteractionEventCoder.of()))
        .apply("TallyPerItem", Combine.perKey(new TallyFn()))
        .apply("ToStats", ParDo.of(new ToStatsFn()))
        .setCoder(ItemMinuteStats.coder());
  }

  static final class TallyFn extends Combine.CombineFn<InteractionEvent, ItemTally, ItemTally> {
    @Override
    public ItemTally createAccumulator() {
      return new ItemTally();
    }

    @Override
    public ItemTally addInput(ItemTally tally, InteractionEvent event) {
      tally.add(event);
      return tally;
    }

    @Override
    public ItemTally mergeAccumulators(Iterable<ItemTally> tallies) {
      ItemTally merged = new ItemTally();
      for (ItemTally t : tallies) {
        merged.merge(t);
      }
      return merged;
    }

    @Override
    public ItemTally extractOutput(ItemTally tally) {
      return tally;
    }

    @Override
    public Coder<ItemTally> getAccumulatorCoder(CoderRegistry r, Coder<InteractionEvent> in)
        throws CannotProvideCoderException {
      return new ItemTally.Coder();
    }

    @Override
    public Coder<ItemTally> getDefaultOutputCoder(CoderRegistry r, Coder<InteractionEvent> in) {
      return new ItemTally.Coder();
    }
  }

  private static final class ToStatsFn extends DoFn<KV<String, ItemTally>, ItemMinuteStats> {
    @ProcessElement
    public void process(
        @Element KV<String, ItemTally> element, BoundedWindow window,
        OutputReceiver<ItemMinuteStats> out) {
      IntervalWindow w = (IntervalWindow) window;
      ItemTally t = element.getValue();
      if (t.itemType == null) {
        return; // an empty pane: no event reached this accumulator, so there is no row to change
      }
      out.output(new ItemMinuteStats(
          w.start().getMillis(), w.end().getMillis(), element.getKey(), t.itemType, t.plays,
          t.skips, t.likes, t.playlistAdds, t.users.size()));
    }
  }
}
