package dev.meshflow.pipelines.skips;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.options.SkipScoringOptions;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.inference.BatchBounds;
import dev.meshflow.transforms.inference.ModelBytes;
import dev.meshflow.transforms.inference.ModelHandler;
import dev.meshflow.transforms.inference.ModelRef;
import dev.meshflow.transforms.inference.NewestModel;
import dev.meshflow.transforms.inference.PredictionResult;
import dev.meshflow.transforms.inference.RunInference;
import dev.meshflow.transforms.inference.handlers.OnnxModelHandler;
import dev.meshflow.transforms.skips.EvaluateModels;
import dev.meshflow.transforms.skips.LabelOutcomes;
import dev.meshflow.transforms.skips.Labeled;
import dev.meshflow.transforms.skips.Listen;
import dev.meshflow.transforms.skips.ListenCoder;
import dev.meshflow.transforms.skips.SkipModelCard;
import dev.meshflow.transforms.skips.SkipSignals;
import dev.meshflow.transforms.skips.SkipTables;
import dev.meshflow.transforms.skips.TrainSkipModels;
import dev.meshflow.transforms.skips.WindowEvaluation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.FloatCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.Latest;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * The closed ML loop on the music mesh: serve skip predictions on live plays, act on them, compare
 * them with what happened, and retrain when quality drops or features drift; the new model is
 * swapped in without a restart.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read interactions from {@code --listens} and build listens with features ({@link
 *       SkipSignals}), as {@code skip-model} does.
 *   <li>Predict P(skip) with the newest ONNX model in {@code --models} ({@link RunInference},
 *       batched); streaming runs re-list the directory every {@code --modelsRefresh}. Write {@code
 *       predictions}; plays at or above {@code --actionThreshold} become {@code actions} rows.
 *   <li>Label each prediction with its outcome ({@link LabelOutcomes}); per {@code --trainEvery}
 *       window and model, write AUC, log-loss and drift to {@code model_evaluation} and {@code
 *       feature_drift} ({@link EvaluateModels}).
 *   <li>A window below {@code --minAuc} or above {@code --maxPsi} triggers a retrain on the
 *       labelled plays of the {@code --trainWindow} ending there ({@link TrainSkipModels}); the
 *       model is published to {@code --models}, where step 2 picks it up.
 * </ol>
 */
public final class SkipScoringPipeline {
  public static final String NAME = "skip-scoring";
  public static final String DESCRIPTION =
      "Continuous intelligence, serving: batched ONNX inference, actions, evaluation, drift and retraining";

  /** Every option this pipeline reads. */
  public interface Options extends SkipJobs.Options, SkipScoringOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, SkipScoringSpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, SkipScoringSpec::of)
          .domain("ml")
          .prepare(SkipScoringPipeline::prepare)
          .steps(SkipScoringPipeline::build)
          .exampleQuery("SELECT window_start, model_id, predictions, round(auc, 3) AS auc, round(log_loss, 3) AS log_loss,"
            + " round(max_psi, 3) AS max_psi, reason FROM model_evaluation ORDER BY window_start, model_id")
          .build();

  private SkipScoringPipeline() {}

  /** Reads the options, prepares, then builds the pipeline and starts it; does not wait for it. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  /**
   * Finds the newest model in --models, which the run starts with, as Beam Python's RunInference
   * does, and checks that it fits this version's features.
   */
  static SkipScoringSpec prepare(SkipScoringSpec spec) {
    String models = spec.jobs().models();
    List<String> paths = new ArrayList<>();
    try {
      for (MatchResult.Metadata m : FileSystems.match(spec.jobs().modelGlob(".onnx"),
          EmptyMatchTreatment.ALLOW).metadata()) {
        paths.add(m.resourceId().toString());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("--models=" + models + ": " + e.getMessage(), e);
    }
    ModelRef newest = NewestModel.newest(paths, ".onnx");
    if (newest == null) {
      throw new IllegalArgumentException("--models=" + models + " holds no skip-*.onnx model;"
          + " run skip-model first (./meshflow skip-model --models=" + models + ")");
    }
    checkCard(newest, models);
    return spec.startingWith(newest);
  }

  /** A model trained on other features than this version computes would fail every batch: say so now. */
  private static void checkCard(ModelRef model, String models) {
    String location = model.location();
    String cardPath = location.substring(0, location.length() - ".onnx".length()) + ".json";
    String text;
    try {
      text = new String(ModelBytes.read(cardPath), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return; // no card: the model is served, only its drift baseline is missing
    }
    try {
      SkipModelCard.fromJson(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--models=" + models + ": the newest model, "
          + model.id() + ", does not fit this version's features (" + e.getMessage() + "); train new"
          + " models with ./meshflow skip-model --models=" + models, e);
    }
  }

  static void build(Pipeline pipeline, SkipScoringSpec spec) {
    SkipJobs jobs = spec.jobs();
    TableSink sink = jobs.sink();
    boolean endless = !jobs.input().isBounded();
    Duration refresh = spec.modelsRefresh();

    PCollectionView<ModelRef> newestModel = pipeline
        .apply("ListModels", FileSnapshots.namesMatching(jobs.modelGlob(".onnx"), endless, refresh, jobs.runFor()))
        .apply("NewestModel", NewestModel.endingWith(".onnx"));
    PCollectionView<Map<String, SkipModelCard>> cards = pipeline
        .apply("ReadCards", FileSnapshots.allMatching(jobs.modelGlob(".json"), endless, refresh, jobs.runFor()))
        .apply("ParseCards", MapElements.into(new TypeDescriptor<Map<String, SkipModelCard>>() {})
            .via(SkipScoringPipeline::cardsById))
        .setCoder(MapCoder.of(StringUtf8Coder.of(), SerializableCoder.of(SkipModelCard.class)))
        .apply("NewestCards", Latest.globally())
        .apply("CardsView", View.<Map<String, SkipModelCard>>asSingleton().withDefaultValue(Map.of()));

    PCollectionTuple signals = jobs.signals(pipeline);
    RunInference<Listen, Float> predict = RunInference.watching(skipHandler(spec), spec.initialModel(), newestModel);
    PCollectionTuple inferred = signals.get(SkipSignals.LISTENS).apply("PredictSkips", predict);
    PCollection<PredictionResult<Listen, Float>> predictions = inferred.get(predict.predictions());

    PCollection<DeadLetter> refusedPredictions = WarehouseWrites.upsert("WritePredictions", predictions
            .apply("PredictionRows", MapElements.into(TypeDescriptors.rows()).via(SkipTables::prediction))
            .setRowSchema(SkipTables.PREDICTIONS_SCHEMA),
        sink, SkipTables.PREDICTIONS, SkipTables.PREDICTIONS_KEY);
    double threshold = spec.actionThreshold();
    PCollection<DeadLetter> refusedActions = WarehouseWrites.upsert("WriteActions", predictions
            .apply("LikelySkips", Filter.by(p -> p.inference() >= threshold))
            .apply("ActionRows", MapElements.into(TypeDescriptors.rows()).via(SkipTables::action))
            .setRowSchema(SkipTables.ACTIONS_SCHEMA),
        sink, SkipTables.ACTIONS, SkipTables.ACTIONS_KEY);

    PCollection<Labeled<PredictionResult<Listen, Float>>> outcomes = LabelOutcomes.label("Outcomes",
        predictions, PredictionResult::example, signals.get(SkipSignals.EVENTS), jobs.outcomeTimeout(),
        jobs.labelEvery());
    PCollection<WindowEvaluation> evaluations = outcomes.apply("EvaluateModels", new EvaluateModels(
        jobs.trainEvery(), cards, spec.minEvaluationRows(), spec.minAuc(), spec.maxPsi()));
    PCollection<DeadLetter> refusedEvaluations = WarehouseWrites.upsert("WriteEvaluations", evaluations
            .apply("EvaluationRows", MapElements.into(TypeDescriptors.rows()).via(WindowEvaluation::toRow))
            .setRowSchema(SkipTables.EVALUATION_SCHEMA),
        sink, SkipTables.EVALUATION, SkipTables.EVALUATION_KEY);
    PCollection<DeadLetter> refusedDrift = WarehouseWrites.upsert("WriteDrift", evaluations
            .apply("DriftRows", FlatMapElements.into(TypeDescriptors.rows()).via(WindowEvaluation::driftRows))
            .setRowSchema(SkipTables.DRIFT_SCHEMA),
        sink, SkipTables.DRIFT, SkipTables.DRIFT_KEY);

    PCollectionList<DeadLetter> deadLetters = PCollectionList.of(signals.get(SkipSignals.DEAD_LETTERS))
        .and(inferred.get(predict.failures())).and(refusedPredictions).and(refusedActions)
        .and(refusedEvaluations).and(refusedDrift);
    if (spec.retrain()) {
      PCollectionView<Map<Long, String>> triggers = evaluations
          .apply("Triggers", Filter.by(e -> e.retrainReason != null))
          .apply("ByWindowEnd", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.strings()))
              .via(e -> KV.of(e.windowEndMillis, e.modelId + ": " + e.retrainReason)))
          .setCoder(KvCoder.of(VarLongCoder.of(), StringUtf8Coder.of()))
          .apply("OnePerWindow", Combine.perKey(reasons -> String.join("; ", reasons)))
          .apply("TriggerView", View.asMap());
      PCollection<Labeled<Listen>> labelled = outcomes
          .apply("LabelledListens", MapElements.into(new TypeDescriptor<Labeled<Listen>>() {})
              .via(l -> new Labeled<>(l.value.example(), l.skipped)))
          .setCoder(Labeled.LabeledCoder.of(ListenCoder.of()));
      deadLetters = deadLetters.and(jobs.publish("PublishRetrained",
          labelled.apply("RetrainWhenTriggered", jobs.training().onlyWhen(triggers))));
    }
    WarehouseWrites.writeDeadLetters(deadLetters, sink);
  }

  /** The ONNX handler for skip models: features in, P(skip) (output column 1) out. */
  static ModelHandler<Listen, Float, ?> skipHandler(SkipScoringSpec spec) {
    BatchBounds bounds = BatchBounds.of(1, spec.inferenceBatchSize());
    if (spec.inferenceMaxWait().getMillis() > 0) {
      bounds = bounds.withMaxBuffering(spec.inferenceMaxWait()); // used on endless input only
    }
    return OnnxModelHandler.create().withBounds(bounds).withMetricsNamespace("skips")
        .<Listen>withPreprocess(l -> l.features)
        .withPostprocess(out -> out[1], FloatCoder.of());
  }

  /** One card per line; a line that is not a card is reported and skipped, never fatal. */
  private static Map<String, SkipModelCard> cardsById(List<String> lines) {
    Map<String, SkipModelCard> cards = new HashMap<>();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      try {
        SkipModelCard card = SkipModelCard.fromJson(line);
        cards.put(card.id, card);
      } catch (IllegalArgumentException e) {
        System.err.println("skip-scoring: skipping a model card line: " + e.getMessage());
      }
    }
    return cards;
  }
}
