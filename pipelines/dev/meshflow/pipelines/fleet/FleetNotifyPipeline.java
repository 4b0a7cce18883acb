package dev.meshflow.pipelines.fleet;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.http.HttpPoster;
import dev.meshflow.options.GovernanceOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.NotifyOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.ReadSource;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.fleet.AlertNotice;
import dev.meshflow.transforms.fleet.AlertNotices;
import dev.meshflow.transforms.fleet.Notifications;
import dev.meshflow.transforms.fleet.NotifyRateLimit;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

/**
 * The activation step of fleet-alerts: reads the alerts stream, rate-limits per vehicle, and
 * delivers each alert (HTTP POST with retries, or a log line). It is its own pipeline, so a slow
 * or failing receiver never holds up the analytics.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read alert lines from {@code --alerts}; a line that is not an alert is a dead letter.
 *   <li>Per vehicle, in alert-time order ({@link NotifyRateLimit}): drop repeats of an alert,
 *       suppress alerts within {@code --notifyMinInterval} of the last delivered one.
 *   <li>Deliver; an alert still undelivered after {@code --notifyRetries} is a dead letter with
 *       stage {@code notify}.
 *   <li>Upsert what happened to each alert into {@code notifications} (by alert_id).
 * </ol>
 */
public final class FleetNotifyPipeline {
  public static final String NAME = "fleet-notify";
  public static final String DESCRIPTION =
      "Acts on fleet alerts: per-vehicle rate limit, HTTP POST with retries (or printed lines)";
  public static final String NOTIFY_STAGE = "notify";
  private static final TupleTag<Row> ROWS = new TupleTag<>() {};
  private static final TupleTag<DeadLetter> DEAD = new TupleTag<>() {};

  /** Every option this pipeline reads. */
  public interface Options
      extends GovernanceOptions, NotifyOptions, SinkOptions, LauncherOptions, RunForOptions, StreamingOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, FleetNotifySpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, FleetNotifySpec::of)
          .domain("operations")
          .steps(FleetNotifyPipeline::build)
          .exampleQuery("SELECT status, count(*) AS alerts, sum(attempts) AS attempts FROM notifications"
            + " GROUP BY status ORDER BY status")
          .build();

  private FleetNotifyPipeline() {}

  /** Reads the options, then builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  static void build(Pipeline pipeline, FleetNotifySpec spec) {
    TableSink sink = spec.sink();
    NotifyRateLimit limit = new NotifyRateLimit(spec.minInterval().getMillis());
    KvCoder<Boolean, AlertNotice> decisionCoder =
        KvCoder.of(BooleanCoder.of(), SerializableCoder.of(AlertNotice.class));
    OrderedPerKey<AlertNotice, NotifyRateLimit.State, KV<Boolean, AlertNotice>> ordered = spec.streaming()
        ? OrderedPerKey.every(Duration.standardSeconds(10), limit, decisionCoder)
        : OrderedPerKey.atEnd(limit, decisionCoder);

    PCollectionTuple parsed = ReadSource.apply(pipeline, "ReadAlerts", spec.input(), spec.runFor(), sink)
        .apply("ParseAlerts", new AlertNotices());
    PCollectionTuple decided = parsed.get(AlertNotices.NOTICES).apply("RateLimitPerVehicle", ordered);
    PCollectionTuple delivered = decided.get(ordered.output())
        .apply("Deliver", ParDo.of(new DeliverFn(spec.poster())).withOutputTags(ROWS, TupleTagList.of(DEAD)));
    PCollection<Row> rows = delivered.get(ROWS).setCoder(SchemaCoder.of(Notifications.SCHEMA));
    PCollection<DeadLetter> refused = WarehouseWrites.upsert("WriteNotifications", rows, sink,
        Notifications.TABLE, Notifications.KEY);
    PCollection<DeadLetter> tooLate = decided.get(ordered.tooLate()).apply("TooLate", AlertNotices.tooLate());
    WarehouseWrites.writeDeadLetters(PCollectionList.of(parsed.get(AlertNotices.DEAD_LETTERS))
        .and(delivered.get(DEAD).setCoder(DeadLetterCoder.of())).and(tooLate).and(refused), sink);
  }

  private static final class DeliverFn extends DoFn<KV<Boolean, AlertNotice>, Row> {
    private final HttpPoster poster;
    private final RunMetrics.StageCounter handled = RunMetrics.counter(RunMetrics.VALID);
    private final RunMetrics.StageCounter failed =
        RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + NOTIFY_STAGE);

    DeliverFn(HttpPoster poster) {
      this.poster = poster;
    }

    @ProcessElement
    public void process(@Element KV<Boolean, AlertNotice> decision, MultiOutputReceiver out)
        throws InterruptedException {
      AlertNotice n = decision.getValue();
      if (!decision.getKey()) {
        handled.inc();
        out.get(ROWS).output(Notifications.of(n, Notifications.SUPPRESSED, 0, null));
        return;
      }
      if (poster == null) {
        // Standard output: the console locally, the worker log on a cluster.
        System.out.println("ALERT " + new String(n.payload, StandardCharsets.UTF_8));
        handled.inc();
        out.get(ROWS).output(Notifications.of(n, Notifications.LOGGED, 1, null));
        return;
      }
      HttpPoster.Outcome o = poster.post(n.alertId, n.payload);
      if (o.delivered) {
        handled.inc();
        out.get(ROWS).output(Notifications.of(n, Notifications.SENT, o.attempts, o.status));
      } else {
        failed.inc();
        out.get(DEAD).output(new DeadLetter(NOTIFY_STAGE, "not delivered after " + o.attempts
            + " attempts: " + o.error, n.origin, n.payload, n.tsMillis, System.currentTimeMillis()));
      }
    }
  }
}
