package dev.meshflow.pipelines.skips;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.file.NamedFiles;
import dev.meshflow.options.Durations;
import dev.meshflow.options.GovernanceOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.options.SkipModelOptions;
import dev.meshflow.pipelines.ReadSource;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.transforms.skips.SkipSignals;
import dev.meshflow.transforms.skips.SkipTables;
import dev.meshflow.transforms.skips.SkipTrainer;
import dev.meshflow.transforms.skips.TrainSkipModels;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * What the skip model and skip scoring jobs' options say, read once, and the steps both run:
 * signals, training and publishing.
 *
 * @param models the model directory, as the user gave it
 * @param runFor null to run until stopped
 * @param taste where cohorts and genres come from; null: from ids
 */
record SkipJobs(RecordSource input, TableSink sink, boolean streaming, Duration runFor, String models,
    Duration trainWindow, Duration trainEvery, Duration outcomeTimeout, SkipTrainer trainer,
    int minTrainingRows, int maxTrainingRows, TasteProducts taste) {
  /** Every option both skip jobs read. */
  interface Options extends GovernanceOptions, SkipModelOptions, SinkOptions, LauncherOptions, RunForOptions, StreamingOptions {}

  /** Streaming: how long an event id is remembered for deduplication (event time). */
  static final Duration DEDUPE_RETENTION = Duration.standardMinutes(10);
  /** Streaming: how often each user's waiting events are put in order (event time). */
  static final Duration FLUSH_EVERY = Duration.standardSeconds(10);

  static SkipJobs of(Options options, String job) {
    Duration window = Durations.parse("trainWindow", options.getTrainWindow());
    Duration every = Durations.parse("trainEvery", options.getTrainEvery());
    if (!every.isLongerThan(Duration.ZERO) || !window.isLongerThan(Duration.ZERO)
        || window.getMillis() % every.getMillis() != 0) {
      throw new IllegalArgumentException("--trainWindow=" + options.getTrainWindow() + " must be a positive"
          + " multiple of --trainEvery=" + options.getTrainEvery() + " (for example 1h and 10m)");
    }
    Duration timeout = Durations.parse("outcomeTimeout", options.getOutcomeTimeout());
    if (!timeout.isLongerThan(Duration.ZERO) || !every.isLongerThan(timeout)) {
      throw new IllegalArgumentException("--outcomeTimeout=" + options.getOutcomeTimeout() + " must be positive"
          + " and shorter than --trainEvery=" + options.getTrainEvery());
    }
    SkipTrainer trainer = trainer(options);
    if (options.getTrainEpochs() < 1) {
      throw new IllegalArgumentException("--trainEpochs must be at least 1");
    }
    if (options.getMinTrainingRows() < 10 || options.getMaxTrainingRows() < options.getMinTrainingRows()) {
      throw new IllegalArgumentException("need 10 <= --minTrainingRows <= --maxTrainingRows, got "
          + options.getMinTrainingRows() + " and " + options.getMaxTrainingRows());
    }
    if (options.getModels().isBlank()) {
      throw new IllegalArgumentException("--models must name a directory");
    }
    NamedFiles.directory(options.getModels());
    boolean streaming = options.isStreaming();
    Duration runFor = Durations.lifetime(options, streaming);
    if (options.getRunner().getSimpleName().equals("SparkRunner")) {
      throw new IllegalArgumentException(job + " orders each user's plays and labels them with state and"
          + " event-time timers, which the SparkRunner does not run; use DirectRunner or FlinkRunner");
    }
    return new SkipJobs(Endpoints.source("listens", options.getListens(), streaming),
        Endpoints.sink(options.getSink()), streaming, runFor, options.getModels(), window, every, timeout,
        trainer, options.getMinTrainingRows(), options.getMaxTrainingRows(),
        TasteProducts.of(options.getAttributesFrom()));
  }

  private static SkipTrainer trainer(SkipModelOptions options) {
    SkipTrainer.Kind kind;
    switch (options.getModelKind().toLowerCase(Locale.ROOT)) {
      case "logistic":
        kind = SkipTrainer.Kind.LOGISTIC;
        break;
      case "fm":
        kind = SkipTrainer.Kind.FACTORIZATION_MACHINE;
        break;
      default:
        throw new IllegalArgumentException("--modelKind=" + options.getModelKind() + ": use logistic or fm");
    }
    return new SkipTrainer(kind, options.getTrainEpochs(), options.getTrainSeed());
  }

  /**
   * Steps: read the records; parse, deduplicate and turn plays into listens with features, their
   * cohorts and genres from the products with --attributesFrom.
   */
  PCollectionTuple signals(Pipeline pipeline) {
    SkipSignals signals = streaming ? SkipSignals.streaming(DEDUPE_RETENTION, FLUSH_EVERY) : SkipSignals.batch();
    if (taste != null) {
      signals = signals.withTaste(taste.view(pipeline, "Cohorts", taste.cohorts()),
          taste.view(pipeline, "Genres", taste.genres()));
    }
    return ReadSource.apply(pipeline, "ReadInteractions", input, runFor, sink).apply("SkipSignals", signals);
  }

  /** Batch: label once at the end; streaming: at most once per user per flush interval. */
  Duration labelEvery() {
    return streaming ? FLUSH_EVERY : Duration.ZERO;
  }

  /** Sliding training windows of --trainWindow every --trainEvery. */
  TrainSkipModels training() {
    return TrainSkipModels.sliding(trainWindow, trainEvery, trainer, minTrainingRows, maxTrainingRows);
  }

  /**
   * Steps: write each model's card and then its ONNX file to --models (each whole, by rename), and
   * its card as a row of skip_models. Returns the rows the warehouse refused.
   */
  PCollection<DeadLetter> publish(String name, PCollection<SkipTrainer.Trained> trained) {
    trained
        .apply(name + "Files", FlatMapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(byte[].class)))
            .via((SkipTrainer.Trained t) -> List.of(
                KV.of(t.card.id + ".json", t.card.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                KV.of(t.card.id + ".onnx", t.onnx))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
        .apply(name + "Write", NamedFiles.binaryInto(models));
    return WarehouseWrites.upsert(name + "Rows", trained
            .apply(name + "Cards", MapElements.into(TypeDescriptors.rows()).via((SkipTrainer.Trained t) -> SkipTables.model(t.card)))
            .setRowSchema(SkipTables.MODELS_SCHEMA),
        sink, SkipTables.MODELS, SkipTables.MODELS_KEY);
  }

  String modelGlob(String suffix) {
    String dir = NamedFiles.directory(models).toString();
    return dir + (dir.endsWith("/") ? "" : "/") + "skip-*" + suffix;
  }
}
