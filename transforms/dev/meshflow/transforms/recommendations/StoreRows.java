package dev.meshflow.transforms.recommendations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshflow.transforms.recommendations.RecommenderRules.Play;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/** The recommender's results as the serving store's rows, each stamped with its pane. */
final class StoreRows {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StoreRows() {}

  /**
   * The version a running total's row carries in {@code pane_index}, never final: the second the
   * run was launched, then how far the key's total has got ({@code progress}: its count of events,
   * or its position in its topic). A total is not a window that closes: the next run (a restart
   * without the old run's state, a streaming run after a batch backfill, a backfill after a stream)
   * must replace it, and a final pane would block every later write. Within a run the progress
   * orders a key's rows whatever order the sink sees them in. It is not the pane's index: a Flink
   * job restored from a checkpoint after losing a task fires its panes from the checkpoint's index
   * again, below the rows the lost attempt had written past it, so the sink refused the restored
   * job's rows, and a key whose replay fired fewer panes kept the lost attempt's partial total. The
   * replay's counts reach what the lost attempt wrote and go past it.
   */
  static long runVersion(long runSecond, long progress) {
    return (runSecond << 32) | Math.min(Math.max(progress, 0), 0xFFFF_FFFFL);
  }

  /** The second a run is launched, for {@link #runVersion}. */
  static long launchSecond() {
    return System.currentTimeMillis() / 1000;
  }

  /** A JSON array of item ids, as the store keeps a user's lists. */
  static String jsonArray(List<String> items) {
    try {
      return JSON.writeValueAsString(items);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a list of strings as JSON", e);
    }
  }

  /**
   * A count keyed by two strings as a row of {@code schema}, whose fields are the two keys, the
   * count and the pane: co-listening (item, neighbour) and plays (item, type).
   */
  static final class KeyPairCountFn extends DoFn<KV<KV<String, String>, Long>, Row> {
    private final Schema schema;
    private final long runSecond;

    KeyPairCountFn(Schema schema, long runSecond) {
      this.schema = schema;
      this.runSecond = runSecond;
    }

    @ProcessElement
    public void process(@Element KV<KV<String, String>, Long> count, OutputReceiver<Row> out) {
      out.output(Row.withSchema(schema)
          .addValues(count.getKey().getKey(), count.getKey().getValue(), count.getValue(), runVersion(runSecond, count.getValue()),
              false)
          .build());
    }
  }

  static final class TrendingFn extends DoFn<KV<KV<String, String>, Long>, Row> {
    @ProcessElement
    public void process(@Element KV<KV<String, String>, Long> plays, BoundedWindow window, PaneInfo pane,
        OutputReceiver<Row> out) {
      Instant start = ((IntervalWindow) window).start();
      out.output(Row.withSchema(RecommendationTables.TRENDING_SCHEMA)
          .addValues(start, plays.getKey().getKey(), plays.getKey().getValue(), plays.getValue(), pane.getIndex(),
              pane.isLast())
          .build());
    }
  }

  static final class UserHistoryRowFn extends DoFn<KV<String, UserHistoryFn.History>, Row> {
    private final long runSecond;

    UserHistoryRowFn(long runSecond) {
      this.runSecond = runSecond;
    }

    @ProcessElement
    public void process(@Element KV<String, UserHistoryFn.History> user, OutputReceiver<Row> out) {
      UserHistoryFn.History h = user.getValue();
      out.output(Row.withSchema(RecommendationTables.USER_HISTORY_SCHEMA)
          .addValues(user.getKey(), jsonArray(h.recent.stream().map(Play::item).toList()),
              jsonArray(List.copyOf(h.skipped)), h.recent.isEmpty() ? null : new Instant(h.recent.get(0).timeMillis()),
              runVersion(runSecond, h.events), false)
          .build());
    }
  }

  static final class ModelStateFn extends DoFn<KV<String, KV<Long, Long>>, Row> {
    private final long runSecond;

    ModelStateFn(long runSecond) {
      this.runSecond = runSecond;
    }

    @ProcessElement
    public void process(@Element KV<String, KV<Long, Long>> state, OutputReceiver<Row> out) {
      out.output(Row.withSchema(RecommendationTables.MODEL_STATE_SCHEMA)
          .addValues(state.getKey(), state.getValue().getKey(), new Instant(state.getValue().getValue()),
              runVersion(runSecond, state.getValue().getKey()), false)
          .build());
    }
  }
}
