package dev.meshflow.pipelines.anomaly;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.AfterRun;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.io.file.NamedFiles;
import dev.meshflow.options.Durations;
import dev.meshflow.pipelines.ClickstreamInput;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.RefreshedSideInputs;
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
import org.joda.time.Duration;

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
  public static final MeshflowPipeline<Options> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class)
          .validate(AnomalyScoringPipeline::validate)
          .run(AnomalyScoringPipeline::run)
          .input(ClickstreamInput::source)
          .exampleQuery("SELECT session_id, model_id, nearest_cluster, round(score, 2) AS score, features FROM anomalies"
            + " ORDER BY score DESC LIMIT 15")
          .build();

  private AnomalyScoringPipeline() {}

  static String modelGlob(Options options) {
    return NamedFiles.directory(options.getModels()).toString() + "kmeans-*.json";
  }

  public static void validate(Options options) {
    AnomalyJobs.validate(options);
    RefreshedSideInputs.check("modelsRefresh", options.getModelsRefresh(), options);
    if (!options.isStreaming()) {
      try {
        if (FileSystems.match(modelGlob(options), EmptyMatchTreatment.ALLOW).metadata().isEmpty()) {
          throw new IllegalArgumentException("--models=" + options.getModels() + " holds no model"
              + " (kmeans-*.json); run anomaly-model first, with the same --models");
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("--models=" + options.getModels() + ": " + e.getMessage());
      }
    }
  }

  /** Builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    validate(options);
    return AfterRun.start(build(options));
  }

  public static Pipeline build(Options options) {
    TableSink sink = Endpoints.sink(options.getSink());
    RecordSource source = ClickstreamInput.source(options);
    Duration runFor = Durations.lifetime(options, options.isStreaming());
    Pipeline pipeline = Pipeline.create(options);

    PCollectionView<ModelHistory> models = pipeline
        .apply("ReadModels", FileSnapshots.allMatching(modelGlob(options), !source.isBounded(),
            Durations.parse("modelsRefresh", options.getModelsRefresh()), runFor))
        .apply("ParseModels", MapElements.into(TypeDescriptor.of(ModelHistory.class))
            .via(AnomalyScoringPipeline::history))
        .setCoder(SerializableCoder.of(ModelHistory.class))
        .apply("NewestSnapshot", Latest.globally())
        .apply("ModelsView", View.asSingleton());

    PCollectionTuple clicks = ClickstreamInput.clickstream(pipeline, options, source, runFor, sink);
    PCollection<DeadLetter> refused = WarehouseWrites.upsert("WriteAnomalies",
        clicks.get(Clickstream.SESSIONS).apply("ScoreSessions", new ScoreSessions(models)),
        sink, AnomaliesTable.TABLE, AnomaliesTable.KEY);
    WarehouseWrites.writeDeadLetters(
        PCollectionList.of(clicks.get(Clickstream.DEAD_LETTERS)).and(refused), sink);
    return pipeline;
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
