package dev.meshflow.benchmarks.nativeflink;

import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.generator.GeneratorSource;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionParser;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.tuple.Tuple7;
import org.apache.flink.api.java.tuple.Tuple9;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.time.Time;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * {@code interaction-analytics} written by hand as a native Flink 1.19 DataStream job, the way a
 * Flink developer would, as the baseline of meshflow's FlinkRunner: batch execution mode,
 * parallelism 2, the same generator records and the same parsing rules ({@link InteractionParser}),
 * dedupe by event id keeping the smallest origin, one-minute tumbling windows per item with counts
 * and exact unique users, and the rows written to DuckDB with its Appender. It lives in the
 * benchmark sources only.
 *
 * <p>{@code java ... NativeInteractionAnalytics GENERATOR-URI DUCKDB-FILE}; prints {@code rows N
 * dead_letters M}.
 */
public final class NativeInteractionAnalytics {
  /** event_id, origin, ts, item_id, item_type, event_type, user_id: only what the counts need. */
  public static final class Event extends Tuple7<String, String, Long, String, String, String, String> {
    public Event() {}

    Event(InteractionEvent e) {
      super(e.eventId(), e.origin(), e.timestampMillis(), e.itemId(), e.itemType(), e.eventType(), e.userId());
    }
  }

  /** window_start, window_end, item_id, item_type, plays, skips, likes, playlist_adds, unique_users. */
  public static final class Stats extends Tuple9<Long, Long, String, String, Long, Long, Long, Long, Long> {
    public Stats() {}
  }

  /** The running counts of one item in one window. */
  public static final class Tally {
    public String itemType;
    public long plays;
    public long skips;
    public long likes;
    public long playlistAdds;
    public Set<String> users = new HashSet<>();
  }

  private NativeInteractionAnalytics() {}

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    String db = args[1];
    long events = ((GeneratorSource) Endpoints.source(uri, false)).events();

    Configuration conf = new Configuration();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);

    SingleOutputStreamOperator<Event> parsed = env.fromSequence(0, events - 1)
        .process(new ParseGenerated<>(uri, Event::new)).returns(Event.class).name("Parse");
    DataStream<Stats> stats = parsed
        .keyBy(e -> e.f0)
        .reduce((a, b) -> a.f1.compareTo(b.f1) <= 0 ? a : b).name("DedupeSmallestOrigin")
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forMonotonousTimestamps()
            .withTimestampAssigner((e, previous) -> e.f2))
        .keyBy(e -> e.f3)
        .window(TumblingEventTimeWindows.of(Time.minutes(1)))
        .aggregate(new CountFn(), new ToStatsFn()).name("CountPerItemMinute");

    CollectIntoDuckDb.run("native interaction-analytics", stats, Stats.class, parsed.getSideOutput(ParseGenerated.DEAD),
        db, "item_minute_stats", "CREATE OR REPLACE TABLE item_minute_stats (window_start TIMESTAMP,"
            + " window_end TIMESTAMP, item_id VARCHAR, item_type VARCHAR, plays BIGINT, skips BIGINT, likes BIGINT,"
            + " playlist_adds BIGINT, unique_users BIGINT)",
        (out, r) -> {
          out.append(CollectIntoDuckDb.utc(r.f0));
          out.append(CollectIntoDuckDb.utc(r.f1));
          out.append(r.f2);
          out.append(r.f3);
          out.append(r.f4);
          out.append(r.f5);
          out.append(r.f6);
          out.append(r.f7);
          out.append(r.f8);
        });
  }

  static final class CountFn implements AggregateFunction<Event, Tally, Tally> {
    @Override
    public Tally createAccumulator() {
      return new Tally();
    }

    @Override
    public Tally add(Event e, Tally t) {
      if (t.itemType == null || e.f4.compareTo(t.itemType) < 0) {
        t.itemType = e.f4;
      }
      switch (e.f5) {
        case "play" -> t.plays++;
        case "skip" -> t.skips++;
        case "like" -> t.likes++;
        default -> t.playlistAdds++;
      }
      t.users.add(e.f6);
      return t;
    }

    @Override
    public Tally getResult(Tally t) {
      return t;
    }

    @Override
    public Tally merge(Tally a, Tally b) {
      a.plays += b.plays;
      a.skips += b.skips;
      a.likes += b.likes;
      a.playlistAdds += b.playlistAdds;
      a.users.addAll(b.users);
      if (b.itemType != null && (a.itemType == null || b.itemType.compareTo(a.itemType) < 0)) {
        a.itemType = b.itemType;
      }
      return a;
    }
  }

  static final class ToStatsFn extends ProcessWindowFunction<Tally, Stats, String, TimeWindow> {
    @Override
    public void process(String item, Context ctx, Iterable<Tally> tallies, Collector<Stats> out) {
      Tally t = tallies.iterator().next();
      Stats s = new Stats();
      s.setFields(ctx.window().getStart(), ctx.window().getEnd(), item, t.itemType, t.plays, t.skips,
          t.likes, t.playlistAdds, (long) t.users.size());
      out.collect(s);
    }
  }
}
