package dev.meshflow.pipelines;

import dev.meshflow.io.AfterRun;
import dev.meshflow.io.mesh.governance.AccessScope;
import dev.meshflow.options.GovernanceOptions;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The contract between the launcher and a pipeline. Each pipeline publishes one as its {@code
 * PIPELINE} constant (built with {@link #builder}); the launcher's catalog lists them and knows
 * nothing else of a pipeline.
 *
 * <p>A run has three steps, each done once: {@link #spec} reads the options into an immutable
 * {@link RunSpec} (no files, no services); {@link #prepare} does what needs the world outside
 * before a run (model directories checked, reference files read, tables and views created); and
 * {@link #build} adds the steps to a pipeline from the prepared spec alone.
 *
 * @param <O> the options the pipeline reads
 * @param <S> what its options say, read once
 */
public interface MeshflowPipeline<O extends PipelineOptions, S extends RunSpec> {
  String name();

  String description();

  Class<O> optionsClass();

  /** The consumer domain a run acts for unless {@code --domain} says otherwise. */
  String defaultDomain();

  /** The domain {@code options} act for: {@code --domain}, or the pipeline's own. */
  default String domain(O options) {
    String given = options.as(GovernanceOptions.class).getDomain();
    return given == null || given.isBlank() ? defaultDomain() : given;
  }

  /**
   * Reads the options; throws IllegalArgumentException with a message that says the fix. Any
   * {@code mesh://} product is resolved here, for the run's domain ({@link AccessScope}).
   */
  S spec(O options);

  /**
   * The work before a run that needs files or services; throws IllegalArgumentException, as
   * {@link #spec} does, when what it finds cannot run. Returns the spec to build from.
   */
  S prepare(S spec);

  /** Adds the pipeline's steps to {@code pipeline}; reads neither options nor files. */
  void build(Pipeline pipeline, S prepared);

  /** A query a person can run to look at the main result. */
  String exampleQuery();

  /** Reads the options, prepares and starts the run; does not wait for it to finish. */
  default PipelineResult run(O options) {
    S prepared;
    try (AccessScope scope = AccessScope.open(domain(options), name())) {
      prepared = prepare(spec(options));
    }
    return start(options, prepared);
  }

  /** Builds a pipeline of {@code options} from a prepared spec and starts it. */
  default PipelineResult start(O options, S prepared) {
    Pipeline pipeline = Pipeline.create(options);
    build(pipeline, prepared);
    return AfterRun.start(pipeline);
  }

  /** A pipeline's contract from its parts: how it reads its options and how it builds. */
  static <O extends PipelineOptions, S extends RunSpec> Builder<O, S> builder(
      String name, String description, Class<O> optionsClass, Function<O, S> spec) {
    return new Builder<>(name, description, optionsClass, spec);
  }

  /** Builds a {@link MeshflowPipeline} from method references of a pipeline class. */
  final class Builder<O extends PipelineOptions, S extends RunSpec> {
    private final String name;
    private final String description;
    private final Class<O> optionsClass;
    private final Function<O, S> spec;
    private UnaryOperator<S> prepare = UnaryOperator.identity();
    private BiConsumer<Pipeline, S> steps;
    private String exampleQuery = "";
    private String domain;

    private Builder(String name, String description, Class<O> optionsClass, Function<O, S> spec) {
      this.name = name;
      this.description = description;
      this.optionsClass = optionsClass;
      this.spec = spec;
    }

    /** Default: nothing to do before a run. */
    public Builder<O, S> prepare(UnaryOperator<S> prepare) {
      this.prepare = prepare;
      return this;
    }

    public Builder<O, S> steps(BiConsumer<Pipeline, S> steps) {
      this.steps = steps;
      return this;
    }

    /** The consumer domain the pipeline acts for by default; its grants ship with the catalog. */
    public Builder<O, S> domain(String consumerDomain) {
      this.domain = consumerDomain;
      return this;
    }

    public Builder<O, S> exampleQuery(String sql) {
      this.exampleQuery = sql;
      return this;
    }

    public MeshflowPipeline<O, S> build() {
      Objects.requireNonNull(spec, name + ": spec");
      Objects.requireNonNull(steps, name + ": steps");
      Objects.requireNonNull(domain, name + ": domain");
      return new Defined<>(this);
    }
  }

  /** A pipeline's contract as its builder defined it. */
  final class Defined<O extends PipelineOptions, S extends RunSpec> implements MeshflowPipeline<O, S> {
    private final Builder<O, S> b;

    private Defined(Builder<O, S> b) {
      this.b = b;
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
    public String defaultDomain() {
      return b.domain;
    }

    /** In the scope of a launch, or of its own when called alone (a test reading a run's spec). */
    @Override
    public S spec(O options) {
      if (AccessScope.current().isPresent()) {
        return b.spec.apply(options);
      }
      try (AccessScope scope = AccessScope.open(domain(options), name())) {
        return b.spec.apply(options);
      }
    }

    @Override
    public S prepare(S spec) {
      return b.prepare.apply(spec);
    }

    @Override
    public void build(Pipeline pipeline, S prepared) {
      b.steps.accept(pipeline, prepared);
    }

    @Override
    public String exampleQuery() {
      return b.exampleQuery;
    }
  }
}
