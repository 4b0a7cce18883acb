package dev.meshflow.transforms.interactions;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
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
 * transform serves batch and streaming; batch may tally in memory first.
 */
public final class CountItemStats
    extends PTransform<PCollection<InteractionEvent>, PCollection<ItemMinuteStats>> {
  /** Events a worker tallies in memory at most; 0: none, each goes to the combine. */
  private final int maxBuffered;

  private CountItemStats(int maxBuffered) {
    this.maxBuffered = maxBuffered;
  }

  /** Streaming: each event goes to the combine, which fires per trigger. */
  public static CountItemStats perEvent() {
    return new CountItemStats(0);
  }

  /**
   * Batch: each worker first tallies per item and window in memory ({@link TallyInMemoryFn}), so
   * the combine receives a tally per item, window and worker instead of every event. FlinkRunner's
   * combiner otherwise sorts each event by its encoded key (docs/benchmarks.md).
   */
  public static CountItemStats tallyInMemoryFirst() {
    return new CountItemStats(TallyInMemoryFn.MAX_BUFFERED);
  }

  /** With a buffer of {@code maxBuffered} events, so that a test can fill it. */
  static CountItemStats tallyInMemoryFirst(int maxBuffered) {
    return new CountItemStats(maxBuffered);
  }

  @Override
  public PCollection<ItemMinuteStats> expand(PCollection<InteractionEvent> events) {
    PCollection<KV<String, ItemTally>> tallies;
    if (maxBuffered > 0) {
      tallies = events
          .apply("TallyInMemory", ParDo.of(new TallyInMemoryFn(maxBuffered)))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), new ItemTally.Coder()))
          .apply("TallyPerItem", Combine.perKey(new MergeTalliesFn()));
    } else {
      tallies = events
          .apply("KeyByItem",
              WithKeys.<String, InteractionEvent>of(InteractionEvent::itemId)
                  .withKeyType(TypeDescriptors.strings()))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), InteractionEventCoder.of()))
          .apply("TallyPerItem", Combine.perKey(new TallyFn()));
    }
    return tallies
        .apply("ToStats", ParDo.of(new ToStatsFn()))
        .setCoder(ItemMinuteStats.coder());
  }

  /**
   * Per bundle, in memory: a tally per window and item. Fewer than {@code maxBuffered} events
   * wait ({@link #MAX_BUFFERED} unless a test says otherwise): when an event fills the buffer, its
   * window's tallies are sent on (until the bundle ends, a DoFn may output only into the current
   * element's window). What is left goes on when the bundle ends.
   */
  static final class TallyInMemoryFn extends DoFn<InteractionEvent, KV<String, ItemTally>> {
    static final int MAX_BUFFERED = 200_000;
    private final int maxBuffered;
    private transient Map<BoundedWindow, WindowTallies> byWindow;
    private transient int buffered;

    TallyInMemoryFn(int maxBuffered) {
      this.maxBuffered = maxBuffered;
    }

    /** One window's tallies and how many buffered events they hold: one lookup per event. */
    private static final class WindowTallies {
      final Map<String, ItemTally> byItem = new HashMap<>();
      int events;
    }

    @StartBundle
    public void start() {
      byWindow = new HashMap<>();
      buffered = 0;
    }

    @ProcessElement
    public void process(@Element InteractionEvent e, BoundedWindow window,
        OutputReceiver<KV<String, ItemTally>> out) {
      WindowTallies tallies = byWindow.get(window);
      if (tallies == null) {
        tallies = new WindowTallies();
        byWindow.put(window, tallies);
      }
      ItemTally tally = tallies.byItem.get(e.itemId());
      if (tally == null) {
        tally = new ItemTally();
        tallies.byItem.put(e.itemId(), tally);
      }
      tally.add(e);
      tallies.events++;
      buffered++;
      if (buffered >= maxBuffered) {
        byWindow.remove(window);
        tallies.byItem.forEach((item, t) -> out.output(KV.of(item, t)));
        buffered -= tallies.events;
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext c) {
      byWindow.forEach((window, tallies) -> tallies.byItem.forEach(
          (item, t) -> c.output(KV.of(item, t), window.maxTimestamp(), window)));
      start();
    }
  }

  /** A combine into one {@link ItemTally} per item and window; subclasses say what an input adds. */
  private abstract static class TallyCombineFn<InputT> extends Combine.CombineFn<InputT, ItemTally, ItemTally> {
    @Override
    public ItemTally createAccumulator() {
      return new ItemTally();
    }

    /**
     * Merges into the first tally, as Beam allows: FlinkRunner's reduce merges a window's partial
     * tallies two at a time, and a fresh tally per merge would copy the growing set of users each
     * time (quadratic in the partial tallies of one item and window).
     */
    @Override
    public ItemTally mergeAccumulators(Iterable<ItemTally> tallies) {
      Iterator<ItemTally> each = tallies.iterator();
      if (!each.hasNext()) {
        return new ItemTally();
      }
      ItemTally merged = each.next();
      while (each.hasNext()) {
        merged.merge(each.next());
      }
      return merged;
    }

    @Override
    public ItemTally extractOutput(ItemTally tally) {
      return tally;
    }

    @Override
    public Coder<ItemTally> getAccumulatorCoder(CoderRegistry r, Coder<InputT> in) {
      return new ItemTally.Coder();
    }

    @Override
    public Coder<ItemTally> getDefaultOutputCoder(CoderRegistry r, Coder<InputT> in) {
      return new ItemTally.Coder();
    }
  }

  /** Each event counted into its item's tally. */
  static final class TallyFn extends TallyCombineFn<InteractionEvent> {
    @Override
    public ItemTally addInput(ItemTally tally, InteractionEvent event) {
      tally.add(event);
      return tally;
    }
  }

  /** Tallies made in memory merged per item and window. */
  static final class MergeTalliesFn extends TallyCombineFn<ItemTally> {
    @Override
    public ItemTally addInput(ItemTally merged, ItemTally tally) {
      merged.merge(tally);
      return merged;
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
