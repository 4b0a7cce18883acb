package dev.meshflow.transforms.anomaly;

import dev.meshflow.core.RunMetrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;

/**
 * The scoring job's transform: each human session against the newest model published before it
 * started ({@link ModelHistory#asOf}), read from a side input that the job re-reads while it runs.
 * Scoring never waits for training: a session uses whatever models are there, and one that
 * started before any model is counted as unscored. Sessions far from every cluster are the output.
 */
public final class ScoreSessions extends PTransform<PCollection<Row>, PCollection<Row>> {
  public static final String SCORED = "sessions_scored";
  public static final String UNSCORED = "sessions_unscored";
  public static final String BOTS_SKIPPED = "bot_sessions_skipped";
  public static final String ANOMALIES = "anomalies";

  private final PCollectionView<ModelHistory> models;

  public ScoreSessions(PCollectionView<ModelHistory> models) {
    this.models = models;
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> sessions) {
    return sessions
        .apply("ScoreAgainstLatestModel", ParDo.of(new ScoreFn(models)).withSideInputs(models))
        .setCoder(SchemaCoder.of(AnomaliesTable.SCHEMA));
  }

  private static final class ScoreFn extends DoFn<Row, Row> {
    private final PCollectionView<ModelHistory> models;
    private final RunMetrics.StageCounter scored = RunMetrics.counter(SCORED);
    private final RunMetrics.StageCounter unscored = RunMetrics.counter(UNSCORED);
    private final RunMetrics.StageCounter bots = RunMetrics.counter(BOTS_SKIPPED);
    private final RunMetrics.StageCounter anomalies = RunMetrics.counter(ANOMALIES);

    ScoreFn(PCollectionView<ModelHistory> models) {
      this.models = models;
    }

    @ProcessElement
    public void process(@Element Row session, ProcessContext c) {
      if (session.getBoolean("is_bot")) {
        bots.inc();
        return;
      }
      KMeansModel model = c.sideInput(models).asOf(session.getDateTime("start_ts").getMillis());
      if (model == null) {
        unscored.inc();
        return;
      }
      scored.inc();
      double[] features = SessionFeatures.of(session);
      KMeansModel.Score score = model.score(features);
      if (score.isAnomaly()) {
        anomalies.inc();
        c.output(AnomaliesTable.toRow(session, model, score, features));
      }
    }
  }
}
