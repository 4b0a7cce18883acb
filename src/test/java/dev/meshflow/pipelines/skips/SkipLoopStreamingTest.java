package dev.meshflow.pipelines.skips;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.JobProgress;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.skips.SkipTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed loop, live, on the Direct runner: {@code skip-scoring} serves a model trained before
 * the drift on an endless, seeded stream whose tastes turn around at minute 12. Asserted on the
 * evaluation table: quality drops after the drift, a retrain is triggered and trained, the new
 * model is swapped in without a restart, and quality recovers.
 *
 * <p>Event time runs 40 times faster than the wall clock (400 records/s, 10 per event second), so
 * the test's half hour of event time takes under a minute of processing.
 */
public class SkipLoopStreamingTest {
  static final long T0 = java.time.Instant.parse("2026-03-07T23:00:00Z").toEpochMilli();
  static final long DRIFT = T0 + 12 * 60_000;
  static final String SPEC = "seed=9&eventsPerSecond=10&taste=1&driftAfterMinutes=12&duplicates=0.01"
      + "&malformed=0.01&outOfOrder=0.05&late=0&start=2026-03-07T23:00:00Z";

  @TempDir Path tmp;

  @Test
  public void qualityDropsAfterTheDriftARetrainIsSwappedInAndQualityRecovers() throws Exception {
    // The served model: trained on the ten minutes before the drift, as skip-model would.
    SkipLoopReference history = new SkipLoopReference("generator:interactions?events=12000&" + SPEC, 12_000, 30_000);
    SkipTrainer.Trained first = new SkipTrainer(SkipTrainer.Kind.LOGISTIC, 5, 1)
        .train(history.between(T0, T0 + 10 * 60_000), T0, T0 + 10 * 60_000, "scheduled");
    Path models = TempFiles.newFolder(tmp, "models");
    Files.writeString(models.resolve(first.card.id + ".json"), first.card.toJson());
    Files.write(models.resolve(first.card.id + ".onnx"), first.onnx);

    String db = Postgres.newDatabase("skip_loop");
    Tables tables = Tables.postgres(db);
    PipelineResult job = SkipScoringPipeline.run(PipelineOptionsFactory.fromArgs(RunnerArgs.asTheLauncherRuns(
        "DirectRunner", "--streaming=true", "--listens=generator:interactions?rate=400&" + SPEC,
        "--models=" + models, "--sink=" + Postgres.sinkUri(db), "--trainWindow=4m", "--trainEvery=2m",
        "--outcomeTimeout=30s", "--modelsRefresh=1s", "--minTrainingRows=500", "--inferenceMaxWait=500ms"))
        .as(SkipScoringPipeline.Options.class));
    String start = tables.epochMillis("window_start");
    String evaluation = "SELECT " + start + ", model_id, predictions, round(CAST(auc AS numeric), 3), triggers_retrain"
        + " FROM model_evaluation ORDER BY 1, 2";
    List<String> rows;
    try {
      Await.until("a retrained model evaluated well after the drift", Duration.ofMinutes(5),
          () -> JobProgress.rows(job, tables, "SELECT model_id FROM model_evaluation WHERE model_id <> '" + first.card.id
              + "' AND " + start + " >= " + DRIFT + " AND predictions >= 200 AND auc > 0.7"),
          ids -> !ids.isEmpty());
    } finally {
      System.out.println("skip loop, counters: " + RunCounts.of(job));
      rows = JobProgress.rows(job, tables, evaluation);
      System.out.println("skip loop, model_evaluation (window start | model | plays | AUC | retrain):\n  "
          + String.join("\n  ", rows));
      System.out.println("skip loop, skip_models: " + JobProgress.rows(job, tables, "SELECT model_id, train_rows,"
          + " round(CAST(holdout_auc AS numeric), 3), reason FROM skip_models ORDER BY 1"));
      job.cancel();
    }
    // 1. Quality dropped after the drift, for the model trained before it.
    assertTrue(tables.count("SELECT count(*) FROM"
        + " model_evaluation WHERE model_id = '" + first.card.id + "' AND " + start + " < " + DRIFT
        + " AND predictions >= 200 AND auc > 0.75") >= 3, "the first model is good before the drift: " + rows);
    assertTrue(tables.count("SELECT count(*) FROM model_evaluation WHERE model_id = '"
        + first.card.id + "' AND " + start + " >= " + DRIFT + " AND predictions >= 200 AND auc < 0.4") >= 1, "and bad after it: " + rows);
    // 2. That triggered a retrain, which 3. produced a model that was swapped in (it scored plays).
    assertTrue(tables.count("SELECT count(*) FROM model_evaluation"
        + " WHERE triggers_retrain AND reason LIKE 'auc%'") >= 1, "a retrain was triggered: " + rows);
    assertTrue(tables.count("SELECT count(*) FROM skip_models"
        + " WHERE reason LIKE '%auc%'") >= 1, "a model was retrained on a trigger");
    assertTrue(tables.count("SELECT count(DISTINCT model_id) FROM predictions") >= 2, "the retrained model was swapped in");
    // 4. Quality recovered: the Await above saw a retrained model above 0.7 after the drift.
  }
}
