package dev.meshflow.pipelines.skips;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.options.ScheduledTrainingOptions;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.skips.LabelOutcomes;
import dev.meshflow.transforms.skips.Labeled;
import dev.meshflow.transforms.skips.Listen;
import dev.meshflow.transforms.skips.SkipSignals;
import dev.meshflow.transforms.skips.TrainSkipModels;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Windowed training of skip models: in batch, scheduled training over history (a model per
 * window, or with {@code --latestWindowOnly} one from the newest window); in streaming, a new model
 * every {@code --trainEvery}.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read interactions from {@code --listens}; parse, deduplicate and build listens with
 *       features ({@link SkipSignals}).
 *   <li>Label each play with its outcome ({@link LabelOutcomes}).
 *   <li>Per sliding window of {@code --trainWindow} every {@code --trainEvery}, train a model
 *       ({@link TrainSkipModels}).
 *   <li>Publish {@code skip-<window end>.onnx} and its card to {@code --models}, the card to the
 *       {@code skip_models} table, and dead letters to {@code --sink}.
 * </ol>
 */
public final class SkipModelPipeline {
  public static final String NAME = "skip-model";
  public static final String DESCRIPTION =
      "Continuous intelligence, training: skip models per sliding window (Tribuo), published as ONNX";

  /** Every option this pipeline reads. */
  public interface Options extends SkipJobs.Options, ScheduledTrainingOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, SkipModelSpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, SkipModelSpec::of)
          .domain("ml")
          .steps(SkipModelPipeline::build)
          .exampleQuery("SELECT model_id, window_end, train_rows, round(holdout_auc, 3) AS auc,"
            + " round(holdout_log_loss, 3) AS log_loss, reason FROM skip_models ORDER BY window_end")
          .build();

  private SkipModelPipeline() {}

  /** Reads the options, then builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  static void build(Pipeline pipeline, SkipModelSpec spec) {
    SkipJobs jobs = spec.jobs();
    PCollectionTuple signals = jobs.signals(pipeline);
    PCollection<Labeled<Listen>> labelled = LabelOutcomes.label("Outcomes", signals.get(SkipSignals.LISTENS),
        l -> l, signals.get(SkipSignals.EVENTS), jobs.outcomeTimeout(), jobs.labelEvery());
    TrainSkipModels train = jobs.training();
    PCollection<DeadLetter> refused = jobs.publish("PublishModels", labelled.apply("TrainPerWindow",
        spec.latestWindowOnly() ? train.onlyLatest() : train));
    WarehouseWrites.writeDeadLetters(
        PCollectionList.of(signals.get(SkipSignals.DEAD_LETTERS)).and(refused), jobs.sink());
  }
}
