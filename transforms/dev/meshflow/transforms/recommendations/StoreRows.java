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

    KeyPairCountFn(Schema schema) {
      this.schema = schema;
    }

    @ProcessElement
    public void process(@Element KV<KV<String, String>, Long> count, PaneInfo pane, OutputReceiver<Row> out) {
      out.output(Row.withSchema(schema)
          .addValues(count.getKey().getKey(), count.getKey().getValue(), count.getValue(), pane.getIndex(),
              pane.isLast())
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
    @ProcessElement
    public void process(@Element KV<String, UserHistoryFn.History> user, PaneInfo pane, OutputReceiver<Row> out) {
      UserHistoryFn.History h = user.getValue();
      out.output(Row.withSchema(RecommendationTables.USER_HISTORY_SCHEMA)
          .addValues(user.getKey(), jsonArray(h.recent.stream().map(Play::item).toList()),
              jsonArray(List.copyOf(h.skipped)), h.recent.isEmpty() ? null : new Instant(h.recent.get(0).timeMillis()),
              pane.getIndex(), pane.isLast())
          .build());
    }
  }

  static final class ModelStateFn extends DoFn<KV<String, KV<Long, Long>>, Row> {
    @ProcessElement
    public void process(@Element KV<String, KV<Long, Long>> state, PaneInfo pane, OutputReceiver<Row> out) {
      out.output(Row.withSchema(RecommendationTables.MODEL_STATE_SCHEMA)
          .addValues(state.getKey(), state.getValue().getKey(), new Instant(state.getValue().getValue()),
              pane.getIndex(), pane.isLast())
          .build());
    }
  }
}
