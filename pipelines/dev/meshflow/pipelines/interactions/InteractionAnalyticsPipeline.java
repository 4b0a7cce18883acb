package dev.meshflow.pipelines.interactions;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.TableSink;
import dev.meshflow.options.EventTimeOptions;
import dev.meshflow.options.GovernanceOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.options.SourceOptions;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.ReadSource;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.interactions.InteractionAnalytics;
import dev.meshflow.transforms.interactions.ItemMinuteStats;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;

/**
 * The Analytics consumer of the music-streaming mesh: plays, skips, likes, playlist adds and
 * unique listeners per item per minute, written to {@code item_minute_stats}, with every unusable
 * record in {@code dead_letter}.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read raw records from {@code --source}.
 *   <li>Run {@link InteractionAnalytics} (parse, late split, dedupe, window, count).
 *   <li>Upsert the statistics by (window_start, item_id) and the dead letters by id into
 *       {@code --sink}.
 * </ol>
 */
public final class InteractionAnalyticsPipeline {
  public static final String NAME = "interaction-analytics";
  public static final String DESCRIPTION =
      "Plays, skips, likes and unique listeners per item per minute, batch or streaming";

  /** Every option this pipeline reads. */
  public interface Options extends GovernanceOptions, SourceOptions, SinkOptions, EventTimeOptions, RunForOptions,
      LauncherOptions, StreamingOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, InteractionAnalyticsSpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, InteractionAnalyticsSpec::of)
          .domain("analytics")
          .steps(InteractionAnalyticsPipeline::build)
          .exampleQuery("SELECT item_id, sum(plays) AS plays, sum(skips) AS skips, max(unique_users) AS peak_listeners"
            + " FROM item_minute_stats GROUP BY item_id ORDER BY plays DESC LIMIT 10")
          .build();

  private InteractionAnalyticsPipeline() {}

  /** Stamps each result with its pane, so the sink never lets an older firing win. */
  private static final class StatsToRowsFn extends DoFn<ItemMinuteStats, Row> {
    @ProcessElement
    public void process(@Element ItemMinuteStats stats, PaneInfo pane, OutputReceiver<Row> out) {
      out.output(stats.toTableRow(pane));
    }
  }

  /** Reads the options, then builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  static void build(Pipeline pipeline, InteractionAnalyticsSpec spec) {
    TableSink sink = spec.sink();
    InteractionAnalytics analytics = spec.streaming()
        ? InteractionAnalytics.streaming(spec.allowedLateness(), spec.dedupeWindow(), spec.earlyFiringInterval())
        : InteractionAnalytics.batch(spec.dedupeWindow());
    PCollectionTuple results = ReadSource.apply(pipeline, "ReadRecords", spec.input(), spec.runFor(), sink)
        .apply("InteractionAnalytics", analytics);

    PCollection<Row> statsRows = results.get(InteractionAnalytics.STATS)
        .apply("StatsToRows", ParDo.of(new StatsToRowsFn()))
        .setRowSchema(ItemMinuteStats.TABLE_SCHEMA);
    PCollection<DeadLetter> refused = WarehouseWrites.upsert(
        "WriteStats", statsRows, sink, ItemMinuteStats.TABLE, ItemMinuteStats.KEY);
    WarehouseWrites.writeDeadLetters(
        PCollectionList.of(results.get(InteractionAnalytics.DEAD_LETTERS)).and(refused), sink);
  }
}
