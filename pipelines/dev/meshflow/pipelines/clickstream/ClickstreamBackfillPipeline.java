package dev.meshflow.pipelines.clickstream;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.TableSink;
import dev.meshflow.pipelines.ClickstreamInput;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.clickstream.ClickEventsTable;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.IdentityMap;
import dev.meshflow.transforms.clickstream.SessionsTable;
import dev.meshflow.transforms.clickstream.TrafficStats;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Clickstream analytics: sessions with identity stitching and bot verdicts, the identity map, and
 * a k-anonymous traffic aggregate. In batch it is a backfill that recomputes the tables for a date
 * range over history files; with {@code --streaming} the same transform keeps them live.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read events from {@code --clicks}; read the product catalog into a side input.
 *   <li>Run {@link Clickstream}.
 *   <li>Upsert {@code click_events}, {@code sessions}, {@code identity_map} and {@code traffic_by_country_hour} into
 *       {@code --sink}; dead letters to its dead_letter table. Keys are deterministic (a session is
 *       its cookie and start), so rerunning a backfill replaces rows and never doubles them.
 * </ol>
 */
public final class ClickstreamBackfillPipeline {
  public static final String NAME = "clickstream-backfill";
  public static final String DESCRIPTION =
      "Clickstream: sessions, identity stitching, privacy, bot detection; a backfill or live";

  /** Every option this pipeline reads. */
  public interface Options extends ClickstreamInput.Options {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, ClickstreamInput> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, ClickstreamInput::of)
          .domain("analytics")
          .prepare(ClickstreamInput::prepare)
          .steps(ClickstreamBackfillPipeline::build)
          .exampleQuery("SELECT is_bot, bot_reason, count(*) AS sessions, count(DISTINCT person_id) AS people,"
            + " sum(events) AS events, sum(CASE WHEN purchased THEN 1 ELSE 0 END) AS purchases"
            + " FROM sessions GROUP BY is_bot, bot_reason ORDER BY is_bot, bot_reason")
          .build();

  private ClickstreamBackfillPipeline() {}

  /** Reads the options, prepares, then builds the pipeline and starts it; does not wait for it. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  static void build(Pipeline pipeline, ClickstreamInput clicks) {
    TableSink sink = clicks.sink();
    PCollectionTuple results = clicks.read(pipeline);

    PCollection<DeadLetter> refusedEvents = WarehouseWrites.upsert("WriteEvents",
        results.get(Clickstream.EVENTS_OUT), sink, ClickEventsTable.TABLE, ClickEventsTable.KEY);
    PCollection<DeadLetter> refusedSessions = WarehouseWrites.upsert("WriteSessions",
        results.get(Clickstream.SESSIONS), sink, SessionsTable.TABLE, SessionsTable.KEY);
    PCollection<DeadLetter> refusedIdentities = WarehouseWrites.upsert("WriteIdentityMap",
        results.get(Clickstream.IDENTITIES), sink, IdentityMap.TABLE, IdentityMap.KEY);
    PCollection<DeadLetter> refusedTraffic = WarehouseWrites.upsert("WriteTraffic",
        results.get(Clickstream.TRAFFIC), sink, TrafficStats.TABLE, TrafficStats.KEY);
    WarehouseWrites.writeDeadLetters(PCollectionList.of(results.get(Clickstream.DEAD_LETTERS))
        .and(refusedEvents).and(refusedSessions).and(refusedIdentities).and(refusedTraffic), sink);
  }
}
