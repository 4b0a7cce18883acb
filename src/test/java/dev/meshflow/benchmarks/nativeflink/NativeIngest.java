package dev.meshflow.benchmarks.nativeflink;

import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.generator.GeneratorSource;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionParser;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code ingest} (ETL, batch, the launcher's defaults: no filter, enrichment, fill or privacy rule)
 * written by hand as a native Flink 1.19 DataStream job: batch execution mode, parallelism 2, the
 * same generator records and parsing rules ({@link InteractionParser}), dedupe by event id keeping
 * the smallest origin, and one typed row per event into DuckDB's {@code interactions} with its
 * Appender. It lives in the benchmark sources only.
 *
 * <p>{@code java ... NativeIngest GENERATOR-URI DUCKDB-FILE}; prints {@code rows N dead_letters M}.
 */
public final class NativeIngest {
  /** One event's typed fields (a POJO: Flink's tuples take no null fields). */
  public static final class Event {
    public String eventId;
    public long ts;
    public String userId;
    public String itemId;
    public String itemType;
    public String eventType;
    public String device;
    public String sessionId;
    public Long durationMs;
    public String origin;

    public Event() {}

    Event(InteractionEvent e) {
      eventId = e.eventId();
      ts = e.timestampMillis();
      userId = e.userId();
      itemId = e.itemId();
      itemType = e.itemType();
      eventType = e.eventType();
      device = e.device();
      sessionId = e.sessionId();
      durationMs = e.durationMs();
      origin = e.origin();
    }
  }

  private NativeIngest() {}

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    String db = args[1];
    long events = ((GeneratorSource) Endpoints.source(uri, false)).events();

    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    SingleOutputStreamOperator<Event> parsed = env.fromSequence(0, events - 1)
        .process(new ParseGenerated<>(uri, Event::new)).returns(Event.class).name("Parse");
    DataStream<Event> unique = parsed
        .keyBy(e -> e.eventId)
        .reduce((a, b) -> a.origin.compareTo(b.origin) <= 0 ? a : b).name("DedupeSmallestOrigin");

    CollectIntoDuckDb.run("native ingest", unique, Event.class, parsed.getSideOutput(ParseGenerated.DEAD), db,
        "interactions", "CREATE OR REPLACE TABLE interactions (event_id VARCHAR PRIMARY KEY, event_ts TIMESTAMP,"
            + " user_id VARCHAR, item_id VARCHAR, item_type VARCHAR, event_type VARCHAR, device VARCHAR,"
            + " device_filled BOOLEAN, session_id VARCHAR, duration_ms BIGINT, title VARCHAR, artist VARCHAR,"
            + " genre VARCHAR, source_origin VARCHAR)",
        (out, e) -> {
          out.append(e.eventId);
          out.append(CollectIntoDuckDb.utc(e.ts));
          out.append(e.userId);
          out.append(e.itemId);
          out.append(e.itemType);
          out.append(e.eventType);
          out.append(e.device);
          out.append(false);
          out.append(e.sessionId);
          if (e.durationMs == null) {
            out.appendNull();
          } else {
            out.append((long) e.durationMs);
          }
          out.appendNull();
          out.appendNull();
          out.appendNull();
          out.append(e.origin);
        });
  }
}
