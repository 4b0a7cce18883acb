package dev.meshflow.pipelines.anomaly;

import dev.meshflow.io.AfterRun;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.file.NamedFiles;
import dev.meshflow.options.Durations;
import dev.meshflow.pipelines.ClickstreamInput;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.anomaly.KMeansModel;
import dev.meshflow.transforms.anomaly.TrainModels;
import dev.meshflow.transforms.clickstream.Clickstream;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The model half of anomaly detection: trains a k-means++ model of human sessions over a sliding
 * window of recent data and publishes each one to the model location, where
 * {@code anomaly-scoring} picks up the newest.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read events from {@code --clicks} and build sessions with the clickstream transform.
 *   <li>Per window of {@code --trainWindow} every {@code --trainEvery}, train ({@link TrainModels}).
 *   <li>Write each model to {@code --models} as {@code kmeans-<window end>.json}: whole, and
 *       replaced by a rerun of the same window. Dead letters go to {@code --sink}.
 * </ol>
 */
public final class AnomalyModelPipeline {
  public static final String NAME = "anomaly-model";
  public static final String DESCRIPTION =
      "Anomaly detection, model job: k-means++ over a sliding window of sessions, published as files";

  /** Every option this pipeline reads. */
  public interface Options extends AnomalyJobs.Options {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class)
          .validate(AnomalyModelPipeline::validate)
          .run(AnomalyModelPipeline::run)
          .input(ClickstreamInput::source)
          .fileOutputs(o -> Map.of("models", o.getModels()))
          .exampleQuery("SELECT stage, reason, count(*) AS dead_letters FROM dead_letter GROUP "
              + "BY stage, reason ORDER BY 3 DESC LIMIT 10")
          .build();

  private AnomalyModelPipeline() {}

  public static void validate(Options options) {
    AnomalyJobs.validate(options);
  }

  /** Builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    validate(options);
    return AfterRun.start(build(options));
  }

  public static Pipeline build(Options options) {
    TableSink sink = Endpoints.sink(options.getSink());
    Pipeline pipeline = Pipeline.create(options);
    PCollectionTuple clicks = ClickstreamInput.clickstream(pipeline, options,
        ClickstreamInput.source(options),
        Durations.lifetime(options, options.isStreaming()), sink);
    clicks.get(Clickstream.SESSIONS)
        .apply("TrainPerWindow", new TrainModels(Durations.parse("trainWindow", options.getTrainWindow()),
            Durations.parse("trainEvery", options.getTrainEvery()), AnomalyJobs.trainer(options)))
        .apply("ModelFiles", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
            .via((KMeansModel m) -> KV.of(m.id + ".json", m.toJson())))
        .apply("PublishModels", NamedFiles.into(options.getModels()));
    WarehouseWrites.writeDeadLetters(PCollectionList.of(clicks.get(Clickstream.DEAD_LETTERS)), sink);
    return pipeline;
  }
}
