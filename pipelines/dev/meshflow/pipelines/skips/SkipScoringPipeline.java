package dev.meshflow.pipelines.skips;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.AfterRun;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.options.Durations;
import dev.meshflow.options.SkipScoringOptions;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.RefreshedSideInputs;
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
  public static final MeshflowPipeline<Options> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class)
          .validate(SkipScoringPipeline::validate)
          .run(SkipScoringPipeline::run)
          .exampleQuery("SELECT window_start, model_id, predictions, round(auc, 3) AS auc, round(log_loss, 3) AS log_loss,"
            + " round(max_psi, 3) AS max_psi, reason FROM model_evaluation ORDER BY window_start, model_id")
          .build();

  private SkipScoringPipeline() {}

  public static void validate(Options options) {
    SkipJobs.validate(options, NAME);
    RefreshedSideInputs.check("modelsRefresh", options.getModelsRefresh(), options);
    Duration wait = Durations.parse("inferenceMaxWait", options.getInferenceMaxWait());
    if (options.getInferenceBatchSize() < 1) {
      throw new IllegalArgumentException("--inferenceBatchSize must be at least 1");
    }
    if (wait.getMillis() < 0) {
      throw new IllegalArgumentException("--inferenceMaxWait must not be negative");
    }
    if (options.getMinAuc() < 0 || options.getMinAuc() > 1 || options.getActionThreshold() < 0
        || options.getActionThreshold() > 1) {
      throw new IllegalArgumentException("--minAuc and --actionThreshold are probabilities: use values in [0, 1]");
    }
    if (options.getMaxPsi() <= 0) {
      throw new IllegalArgumentException("--maxPsi must be positive (0.25 is the usual alarm level)");
    }
    checkCard(initialModel(options), options);
  }

  /** Builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    validate(options);
    return AfterRun.start(build(options));
  }

  /** The newest model in --models now: a run starts with it, as Beam Python's RunInference does. */
  static ModelRef initialModel(SkipJobs.Options options) {
    List<String> paths = new ArrayList<>();
    try {
      for (MatchResult.Metadata m : FileSystems.match(SkipJobs.modelGlob(options, ".onnx"),
          EmptyMatchTreatment.ALLOW).metadata()) {
        paths.add(m.resourceId().toString());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("--models=" + options.getModels() + ": " + e.getMessage(), e);
    }
    ModelRef newest = NewestModel.newest(paths, ".onnx");
    if (newest == null) {
      throw new IllegalArgumentException("--models=" + options.getModels() + " holds no skip-*.onnx model;"
          + " run skip-model first (./meshflow skip-model --models=" + options.getModels() + ")");
    }
    return newest;
  }

  /** A model trained on other features than this version computes would fail every batch: say so now. */
  private static void checkCard(ModelRef model, SkipJobs.Options options) {
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
      throw new IllegalArgumentException("--models=" + options.getModels() + ": the newest model, "
          + model.id() + ", does not fit this version's features (" + e.getMessage() + "); train new"
          + " models with ./meshflow skip-model --models=" + options.getModels(), e);
    }
  }

  public static Pipeline build(Options options) {
    TableSink sink = Endpoints.sink(options.getSink());
    RecordSource source = SkipJobs.source(options);
    boolean endless = !source.isBounded();
    Duration runFor = Durations.lifetime(options, options.isStreaming());
    Duration refresh = Durations.parse("modelsRefresh", options.getModelsRefresh());
    Duration period = Durations.parse("trainEvery", options.getTrainEvery());
    Pipeline pipeline = Pipeline.create(options);

    PCollectionView<ModelRef> newestModel = pipeline
        .apply("ListModels", FileSnapshots.namesMatching(SkipJobs.modelGlob(options, ".onnx"), endless, refresh, runFor))
        .apply("NewestModel", NewestModel.endingWith(".onnx"));
    PCollectionView<Map<String, SkipModelCard>> cards = pipeline
        .apply("ReadCards", FileSnapshots.allMatching(SkipJobs.modelGlob(options, ".json"), endless, refresh, runFor))
        .apply("ParseCards", MapElements.into(new TypeDescriptor<Map<String, SkipModelCard>>() {})
            .via(SkipScoringPipeline::cardsById))
        .setCoder(MapCoder.of(StringUtf8Coder.of(), SerializableCoder.of(SkipModelCard.class)))
        .apply("NewestCards", Latest.globally())
        .apply("CardsView", View.<Map<String, SkipModelCard>>asSingleton().withDefaultValue(Map.of()));

    PCollectionTuple signals = SkipJobs.signals(pipeline, options, source, sink);
    RunInference<Listen, Float> predict = RunInference.watching(skipHandler(options), initialModel(options), newestModel);
    PCollectionTuple inferred = signals.get(SkipSignals.LISTENS).apply("PredictSkips", predict);
    PCollection<PredictionResult<Listen, Float>> predictions = inferred.get(predict.predictions());

    PCollection<DeadLetter> refusedPredictions = WarehouseWrites.upsert("WritePredictions", predictions
            .apply("PredictionRows", MapElements.into(TypeDescriptors.rows()).via(SkipTables::prediction))
            .setRowSchema(SkipTables.PREDICTIONS_SCHEMA),
        sink, SkipTables.PREDICTIONS, SkipTables.PREDICTIONS_KEY);
    double threshold = options.getActionThreshold();
    PCollection<DeadLetter> refusedActions = WarehouseWrites.upsert("WriteActions", predictions
            .apply("LikelySkips", Filter.by(p -> p.inference() >= threshold))
            .apply("ActionRows", MapElements.into(TypeDescriptors.rows()).via(SkipTables::action))
            .setRowSchema(SkipTables.ACTIONS_SCHEMA),
        sink, SkipTables.ACTIONS, SkipTables.ACTIONS_KEY);

    PCollection<Labeled<PredictionResult<Listen, Float>>> outcomes = LabelOutcomes.label("Outcomes",
        predictions, PredictionResult::example, signals.get(SkipSignals.EVENTS), SkipJobs.timeout(options),
        SkipJobs.labelEvery(options));
    PCollection<WindowEvaluation> evaluations = outcomes.apply("EvaluateModels", new EvaluateModels(period, cards,
        options.getMinEvaluationRows(), options.getMinAuc(), options.getMaxPsi()));
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
    if (options.getRetrain()) {
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
      deadLetters = deadLetters.and(SkipJobs.publish("PublishRetrained", labelled.apply("RetrainWhenTriggered",
              TrainSkipModels.sliding(Durations.parse("trainWindow", options.getTrainWindow()), period,
                      SkipJobs.trainer(options), options.getMinTrainingRows(), options.getMaxTrainingRows())
                  .onlyWhen(triggers)),
          options, sink));
    }
    WarehouseWrites.writeDeadLetters(deadLetters, sink);
    return pipeline;
  }

  /** The ONNX handler for skip models: features in, P(skip) (output column 1) out. */
  static ModelHandler<Listen, Float, ?> skipHandler(SkipScoringOptions options) {
    BatchBounds bounds = BatchBounds.of(1, options.getInferenceBatchSize());
    Duration wait = Durations.parse("inferenceMaxWait", options.getInferenceMaxWait());
    if (wait.getMillis() > 0) {
      bounds = bounds.withMaxBuffering(wait); // used on endless input only
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
