package dev.meshflow.pipelines;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.io.TableSink;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes tables through a {@link TableSink} so that nothing is lost: rows the warehouse refuses
 * come back as dead letters with stage {@code sink}, and every dead letter lands in
 * {@code dead_letter}.
 */
public final class WarehouseWrites {
  private static final Logger LOG = LoggerFactory.getLogger(WarehouseWrites.class);
  static final String DEAD_LETTERS_REFUSED = "dead_letters_refused";

  private WarehouseWrites() {}

  /** Upserts {@code rows} into {@code table}; returns the refused rows as dead letters. */
  public static PCollection<DeadLetter> upsert(
      String name, PCollection<Row> rows, TableSink sink, String table, List<String> keys) {
    return refusals(name, rows.apply(name, sink.upsert(table, keys)));
  }

  /** Inserts rows whose key is new, keeping existing ones; returns refusals as dead letters. */
  public static PCollection<DeadLetter> insertNew(
      String name, PCollection<Row> rows, TableSink sink, String table, List<String> keys) {
    return refusals(name, rows.apply(name, sink.insertNew(table, keys)));
  }

  private static PCollection<DeadLetter> refusals(String name, PCollection<Row> rejects) {
    return rejects
        .apply(name + "Refusals", ParDo.of(new RefusalToDeadLetterFn()))
        .setCoder(DeadLetterCoder.of())
        // Dead letters live in the global window whatever the table's windowing was.
        .apply(name + "RefusalsUnwindowed", Window.<DeadLetter>into(new GlobalWindows())
            .triggering(DefaultTrigger.of()).discardingFiredPanes()
            .withAllowedLateness(org.joda.time.Duration.ZERO));
  }

  /** Writes every dead letter. The dead-letter table's own refusals are counted and logged. */
  public static void writeDeadLetters(PCollectionList<DeadLetter> deadLetters, TableSink sink) {
    deadLetters
        .apply("CollectAllDeadLetters", Flatten.pCollections())
        .setCoder(DeadLetterCoder.of())
        .apply("DeadLettersToRows", MapElements.into(TypeDescriptors.rows()).via(DeadLetter::toRow))
        .setRowSchema(DeadLetter.SCHEMA)
        .apply("WriteDeadLetters", sink.upsert(DeadLetter.TABLE, DeadLetter.KEY))
        .apply("ReportRefusedDeadLetters", ParDo.of(new ReportRefusedFn()));
  }

  private static final class RefusalToDeadLetterFn extends DoFn<Row, DeadLetter> {
    private final RunMetrics.StageCounter refused =
        RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.SINK);

    @ProcessElement
    public void process(@Element Row reject, OutputReceiver<DeadLetter> out) {
      refused.inc();
      String origin = reject.getString("origin");
      if (origin == null) {
        origin = reject.getString("table") + ":" + reject.getString("row_key");
      }
      out.output(new DeadLetter(Stages.SINK,
          reject.getString("reason") + " (table " + reject.getString("table") + ")", origin,
          reject.getString("row_text").getBytes(StandardCharsets.UTF_8), null,
          System.currentTimeMillis()));
    }
  }

  private static final class ReportRefusedFn extends DoFn<Row, Void> {
    private final RunMetrics.StageCounter refused = RunMetrics.counter(DEAD_LETTERS_REFUSED);

    @ProcessElement
    public void process(@Element Row reject) {
      refused.inc();
      LOG.error("the warehouse refused a dead letter ({}): {}", reject.getString("reason"),
          reject.getString("row_text"));
    }
  }
}
