package dev.meshflow.pipelines;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
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
  default Map<String, String> fileOutputs(O options) {
    return Map.of();
  }

  static <O extends PipelineOptions> Described<O> of(
      String name, String description, Class<O> optionsClass, Consumer<O> validate,
      Function<O, PipelineResult> run, String exampleQuery) {
    return of(name, description, optionsClass, validate, run, exampleQuery, o -> Conservation.aggregated());
  }

  static <O extends PipelineOptions> Described<O> of(
      String name, String description, Class<O> optionsClass, Consumer<O> validate,
      Function<O, PipelineResult> run, String exampleQuery, Function<O, Conservation> conservation) {
    return new Described<>(name, description, optionsClass, validate, run, exampleQuery,
        conservation, o -> Map.of());
  }

  /** A pipeline described by its parts, as the catalog lists them. */
  final class Described<O extends PipelineOptions> implements MeshflowPipeline<O> {
    private final String name;
    private final String description;
    private final Class<O> optionsClass;
    private final Consumer<O> validate;
    private final Function<O, PipelineResult> run;
    private final String exampleQuery;
    private final Function<O, Conservation> conservation;
    private final Function<O, Map<String, String>> fileOutputs;

    private Described(String name, String description, Class<O> optionsClass, Consumer<O> validate,
        Function<O, PipelineResult> run, String exampleQuery, Function<O, Conservation> conservation,
        Function<O, Map<String, String>> fileOutputs) {
      this.name = name;
      this.description = description;
      this.optionsClass = optionsClass;
      this.validate = validate;
      this.run = run;
      this.exampleQuery = exampleQuery;
      this.conservation = conservation;
      this.fileOutputs = fileOutputs;
    }

    /** The same pipeline, naming in its summary what it writes besides tables. */
    public Described<O> writingFiles(Function<O, Map<String, String>> outputs) {
      return new Described<>(name, description, optionsClass, validate, run, exampleQuery,
          conservation, outputs);
    }

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

    @Override
    public Map<String, String> fileOutputs(O options) {
      return fileOutputs.apply(options);
    }
  }
}
