package dev.meshflow.pipelines;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;

/** A pipeline the launcher can list, explain and run. */
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
  default Conservation conservation(O options) {
    return Conservation.aggregated();
  }

  /** What the run writes besides tables (a model directory), label to place, for the summary. */
  default java.util.Map<String, String> fileOutputs(O options) {
    return java.util.Map.of();
  }

  /** This pipeline, naming in its summary what it writes besides tables. */
  default MeshflowPipeline<O> writingFiles(
      java.util.function.Function<O, java.util.Map<String, String>> outputs) {
    MeshflowPipeline<O> self = this;
    return new MeshflowPipeline<>() {
      @Override
      public String name() {
        return self.name();
      }

      @Override
      public String description() {
        return self.description();
      }

      @Override
      public Class<O> optionsClass() {
        return self.optionsClass();
      }

      @Override
      public void validate(O options) {
        self.validate(options);
      }

      @Override
      public PipelineResult run(O options) {
        return self.run(options);
      }

      @Override
      public String exampleQuery() {
        return self.exampleQuery();
      }

      @Override
      public Conservation conservation(O options) {
        return self.conservation(options);
      }

      @Override
      public java.util.Map<String, String> fileOutputs(O options) {
        return outputs.apply(options);
      }
    };
  }

  static <O extends PipelineOptions> MeshflowPipeline<O> of(
      String name, String description, Class<O> optionsClass,
      java.util.function.Consumer<O> validate,
      java.util.function.Function<O, PipelineResult> run, String exampleQuery) {
    return of(name, description, optionsClass, validate, run, exampleQuery, o -> Conservation.aggregated());
  }

  static <O extends PipelineOptions> MeshflowPipeline<O> of(
      String name, String description, Class<O> optionsClass,
      java.util.function.Consumer<O> validate,
      java.util.function.Function<O, PipelineResult> run, String exampleQuery,
      java.util.function.Function<O, Conservation> conservation) {
    return new MeshflowPipeline<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public Class<O> optionsClass() {
        return optionsClass;
      }

      @Override
      public void validate(O options) {
        validate.accept(options);
      }

      @Override
      public PipelineResult run(O options) {
        return run.apply(options);
      }

      @Override
      public String exampleQuery() {
        return exampleQuery;
      }

      @Override
      public Conservation conservation(O options) {
        return conservation.apply(options);
      }
    };
  }
}
