package dev.meshflow.pipelines.anomaly;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.pipelines.ClickstreamInput;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.anomaly.AnomaliesTable;
import dev.meshflow.transforms.anomaly.KMeansModel;
import dev.meshflow.transforms.anomaly.ModelHistory;
import dev.meshflow.transforms.anomaly.ScoreSessions;
import dev.meshflow.transforms.clickstream.Clickstream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.transforms.Latest;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * The scoring half of anomaly detection: scores each session against the newest model in the
 * model location, which a streaming run re-reads every {@code --modelsRefresh} (a side input that
 * changes while the job runs; scoring never waits for training).
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read the models under {@code --models} into a side input (re-read while streaming).
 *   <li>Read events from {@code --clicks} and build sessions with the clickstream transform.
 *   <li>Score each human session ({@link ScoreSessions}); upsert the anomalies into the
 *       {@code anomalies} table of {@code --sink}, keyed by session. Dead letters to its
 *       dead_letter table.
 * </ol>
 */
public final class AnomalyScoringPipeline {
  public static final String NAME = "anomaly-scoring";
  public static final String DESCRIPTION =
      "Anomaly detection, scoring job: each session against the newest model, anomalies into a table";

  /** Every option this pipeline reads. */
  public interface Options extends AnomalyJobs.Options {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, AnomalyScoringSpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, AnomalyScoringSpec::of)
          .domain("operations")
          .prepare(AnomalyScoringPipeline::prepare)
          .steps(AnomalyScoringPipeline::build)
          .exampleQuery("SELECT session_id, model_id, nearest_cluster, round(score, 2) AS score, features FROM anomalies"
            + " ORDER BY score DESC LIMIT 15")
          .build();

  private AnomalyScoringPipeline() {}

  /** Reads the options, prepares, then builds the pipeline and starts it; does not wait for it. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  /** A batch run needs a model now; a streaming one may start before the first is trained. */
  static AnomalyScoringSpec prepare(AnomalyScoringSpec spec) {
    spec.jobs().clicks().prepare();
    if (!spec.jobs().clicks().streaming()) {
      String models = spec.jobs().models();
      try {
        if (FileSystems.match(spec.jobs().modelGlob(), EmptyMatchTreatment.ALLOW).metadata().isEmpty()) {
          throw new IllegalArgumentException("--models=" + models + " holds no model"
              + " (kmeans-*.json); run anomaly-model first, with the same --models");
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("--models=" + models + ": " + e.getMessage());
      }
    }
    return spec;
  }

  static void build(Pipeline pipeline, AnomalyScoringSpec spec) {
    ClickstreamInput input = spec.jobs().clicks();
    TableSink sink = spec.sink();
    PCollectionView<ModelHistory> models = pipeline
        .apply("ReadModels", FileSnapshots.allMatching(spec.jobs().modelGlob(), !input.input().isBounded(),
            spec.modelsRefresh(), input.runFor()))
        .apply("ParseModels", MapElements.into(TypeDescriptor.of(ModelHistory.class))
            .via(AnomalyScoringPipeline::history))
        .setCoder(SerializableCoder.of(ModelHistory.class))
        .apply("NewestSnapshot", Latest.globally())
        .apply("ModelsView", View.asSingleton());

    PCollectionTuple clicks = input.read(pipeline);
    PCollection<DeadLetter> refused = WarehouseWrites.upsert("WriteAnomalies",
        clicks.get(Clickstream.SESSIONS).apply("ScoreSessions", new ScoreSessions(models)),
        sink, AnomaliesTable.TABLE, AnomaliesTable.KEY);
    WarehouseWrites.writeDeadLetters(
        PCollectionList.of(clicks.get(Clickstream.DEAD_LETTERS)).and(refused), sink);
  }

  /** One model per line; a line that is not a model is reported and skipped, never fatal. */
  private static ModelHistory history(List<String> lines) {
    List<KMeansModel> models = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      try {
        models.add(KMeansModel.fromJson(line));
      } catch (IllegalArgumentException e) {
        System.err.println("anomaly-scoring: skipping a model line: " + e.getMessage());
      }
    }
    return ModelHistory.of(models);
  }
}
