package dev.meshflow.pipelines;

import dev.meshflow.io.RecordSource;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The contract between the launcher and a pipeline. Each pipeline publishes one as its {@code
 * PIPELINE} constant (built with {@link #builder}); the launcher's catalog lists them and knows
 * nothing else of a pipeline.
 */
public interface MeshflowPipeline<O extends PipelineOptions> {
  String name();

  String description();

  Class<O> optionsClass();

  /** Cross-option checks; throws IllegalArgumentException with a message that says the fix. */
  void validate(O options);

  /** Starts the pipeline without waiting for it. */
  PipelineResult run(O options);

  /** A query a person can run to look at the main result. */
  String exampleQuery();

  /** How the run accounts for every record read. */
  Conservation conservation(O options);

  /** What the run writes besides tables (a model directory), label to place, for the summary. */
  Map<String, String> fileOutputs(O options);

  /**
   * The stream or files the run reads, for the launcher's checks before a local run (is the
   * broker up, how many readers) and its consumer lag; null where it reads none of its own.
   */
  RecordSource input(O options);

  /** What the summary names as the run's input. */
  String describeInput(O options);

  /** A pipeline's contract from its parts; name, description, options, validate and run are required. */
  static <O extends PipelineOptions> Builder<O> builder(String name, String description, Class<O> optionsClass) {
    return new Builder<>(name, description, optionsClass);
  }

  /** Builds a {@link MeshflowPipeline} from method references of a pipeline class. */
  final class Builder<O extends PipelineOptions> {
    private final String name;
    private final String description;
    private final Class<O> optionsClass;
    private Consumer<O> validate;
    private Function<O, PipelineResult> run;
    private String exampleQuery = "";
    private Function<O, Conservation> conservation = o -> Conservation.aggregated();
    private Function<O, Map<String, String>> fileOutputs = o -> Map.of();
    private Function<O, RecordSource> input = o -> null;
    private Function<O, String> describeInput;

    private Builder(String name, String description, Class<O> optionsClass) {
      this.name = name;
      this.description = description;
      this.optionsClass = optionsClass;
    }

    public Builder<O> validate(Consumer<O> validate) {
      this.validate = validate;
      return this;
    }

    public Builder<O> run(Function<O, PipelineResult> run) {
      this.run = run;
      return this;
    }

    public Builder<O> exampleQuery(String sql) {
      this.exampleQuery = sql;
      return this;
    }

    /** Default: valid events feed an aggregate ({@link Conservation#aggregated()}). */
    public Builder<O> conservation(Function<O, Conservation> conservation) {
      this.conservation = conservation;
      return this;
    }

    public Builder<O> fileOutputs(Function<O, Map<String, String>> fileOutputs) {
      this.fileOutputs = fileOutputs;
      return this;
    }

    public Builder<O> input(Function<O, RecordSource> input) {
      this.input = input;
      return this;
    }

    /** Default: the input's own description, or nothing. */
    public Builder<O> describeInput(Function<O, String> describeInput) {
      this.describeInput = describeInput;
      return this;
    }

    public MeshflowPipeline<O> build() {
      Objects.requireNonNull(validate, name + ": validate");
      Objects.requireNonNull(run, name + ": run");
      Function<O, String> described = describeInput != null ? describeInput : o -> {
        RecordSource in = input.apply(o);
        return in == null ? "" : in.describe();
      };
      return new Defined<>(this, described);
    }
  }

  /** A pipeline's contract as its builder defined it. */
  final class Defined<O extends PipelineOptions> implements MeshflowPipeline<O> {
    private final Builder<O> b;
    private final Function<O, String> describeInput;

    private Defined(Builder<O> b, Function<O, String> describeInput) {
      this.b = b;
      this.describeInput = describeInput;
    }

    @Override
    public String name() {
      return b.name;
    }

    @Override
    public String description() {
      return b.description;
    }

    @Override
    public Class<O> optionsClass() {
      return b.optionsClass;
    }

    @Override
    public void validate(O options) {
      b.validate.accept(options);
    }

    @Override
    public PipelineResult run(O options) {
      return b.run.apply(options);
    }

    @Override
    public String exampleQuery() {
      return b.exampleQuery;
    }

    @Override
    public Conservation conservation(O options) {
      return b.conservation.apply(options);
    }

    @Override
    public Map<String, String> fileOutputs(O options) {
      return b.fileOutputs.apply(options);
    }

    @Override
    public RecordSource input(O options) {
      return b.input.apply(options);
    }

    @Override
    public String describeInput(O options) {
      return describeInput.apply(options);
    }
  }
}
