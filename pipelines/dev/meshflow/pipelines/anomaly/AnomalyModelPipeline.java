package dev.meshflow.pipelines.anomaly;

import dev.meshflow.io.file.NamedFiles;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.anomaly.KMeansModel;
import dev.meshflow.transforms.anomaly.TrainModels;
import dev.meshflow.transforms.clickstream.Clickstream;
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
  public static final MeshflowPipeline<Options, AnomalyModelSpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, AnomalyModelSpec::of)
          .domain("operations")
          .prepare(spec -> {
            spec.jobs().clicks().prepare();
            return spec;
          })
          .steps(AnomalyModelPipeline::build)
          .exampleQuery("SELECT stage, reason, count(*) AS dead_letters FROM dead_letter GROUP "
              + "BY stage, reason ORDER BY 3 DESC LIMIT 10")
          .build();

  private AnomalyModelPipeline() {}

  /** Reads the options, prepares, then builds the pipeline and starts it; does not wait for it. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  static void build(Pipeline pipeline, AnomalyModelSpec spec) {
    AnomalyJobs jobs = spec.jobs();
    PCollectionTuple clicks = jobs.clicks().read(pipeline);
    clicks.get(Clickstream.SESSIONS)
        .apply("TrainPerWindow", new TrainModels(jobs.trainWindow(), jobs.trainEvery(), jobs.trainer()))
        .apply("ModelFiles", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
            .via((KMeansModel m) -> KV.of(m.id + ".json", m.toJson())))
        .apply("PublishModels", NamedFiles.into(jobs.models()));
    WarehouseWrites.writeDeadLetters(PCollectionList.of(clicks.get(Clickstream.DEAD_LETTERS)), spec.sink());
  }
}
