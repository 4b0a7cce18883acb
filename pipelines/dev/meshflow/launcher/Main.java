package dev.meshflow.launcher;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.mesh.governance.AccessRefusedException;
import dev.meshflow.io.mesh.governance.AccessScope;
import dev.meshflow.options.GovernanceOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.RunSpec;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * The {@code meshflow} command line: {@code list}, {@code endpoints}, {@code query}, and
 * {@code <pipeline> [--help | options]}. Usage errors exit 2 with one line; failed runs exit 1.
 */
public final class Main {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  /** Governance refused a read: no grant, a revoked one, or a grant log that cannot be trusted. */
  public static final int REFUSED = 3;

  private Main() {}

  /** Loggers that simplelogger.properties quiets to errors; --verbose shows them again. */
  private static final List<String> QUIET_UNLESS_VERBOSE = List.of("org.apache.flink",
      "org.apache.beam.runners.flink", "org.apache.beam.sdk.io.kafka.KafkaUnboundedReader",
      "org.apache.kafka.clients.NetworkClient",
      "org.apache.kafka.clients.consumer.internals.ConsumerCoordinator",
      "org.apache.beam.sdk.metrics.MetricsEnvironment");

  /** How long a source's service gets to answer before a local run starts. */
  static final org.joda.time.Duration REACHABLE_WITHIN = org.joda.time.Duration.standardSeconds(10);

  public static void main(String[] argv) {
    System.exit(execute(Arrays.asList(argv), System.out, System.err));
  }

  /** Runs one command and returns its exit code; never throws. */
  public static int execute(List<String> args, PrintStream out, PrintStream err) {
    boolean verbose = args.contains("--verbose") || args.contains("--verbose=true");
    if (verbose) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
      for (String quiet : QUIET_UNLESS_VERBOSE) {
        System.setProperty("org.slf4j.simpleLogger.log." + quiet, "info");
      }
    }
    try {
      return dispatch(args, out, err);
    } catch (RuntimeException e) {
      AccessRefusedException refused = refusal(e);
      if (refused == null) {
        return failed(e, verbose, err);
      }
      err.println("meshflow: refused: " + refused.getMessage());
      return REFUSED;
    } catch (Exception e) {
      return failed(e, verbose, err);
    }
  }

  /** The governance refusal behind {@code e}, however a source wrapped it; null if none. */
  private static AccessRefusedException refusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AccessRefusedException refused) {
        return refused;
      }
    }
    return null;
  }

  /** A usage error (IllegalArgumentException) exits 2 with its line; anything else 1. */
  private static int failed(Exception e, boolean verbose, PrintStream err) {
    boolean usage = e instanceof IllegalArgumentException;
    if (usage) {
      err.println("meshflow: error: " + e.getMessage());
    } else {
      err.println("meshflow: failed: " + FailureMessage.of(e) + (verbose ? "" : " (--verbose shows the stack trace)"));
    }
    if (verbose) {
      e.printStackTrace(err);
    }
    return usage ? USAGE : FAILED;
  }

  static int dispatch(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))) {
      usage(out);
      return args.isEmpty() ? USAGE : OK;
    }
    String command = args.get(0);
    List<String> rest = args.subList(1, args.size());
    switch (command) {
      case "list":
        PipelineCatalog.all().values().forEach(
            p -> out.printf("  %-24s %s%n", p.name(), p.description()));
        return OK;
      case "endpoints":
        EndpointsHelp.print(out);
        return OK;
      case "query":
        QueryCommand.run(rest, out);
        return OK;
      case "generate":
        GenerateCommand.run(rest, out);
        return OK;
      case "catalog":
        return CatalogCommand.run(rest, out, err);
      case "access":
        return AccessCommand.run(rest, out, err);
      case "lineage":
        return LineageCommand.run(rest, out);
      case "produce":
        return ProduceCommand.run(rest, out, err);
      case "ingest-api":
        return IngestApiCommand.run(rest, out, err);
      case "serve":
        return ServeCommand.run(rest, out, err);
      case "dashboard":
        return DashboardCommand.run(rest, out, err);
      case "stop":
        return FlinkStopCommand.run(rest, out, err);
      default:
        MeshflowPipeline<?, ?> pipeline = PipelineCatalog.get(command);
        if (rest.contains("--help") || rest.contains("-h")) {
          HelpPrinter.print(pipeline, out);
          return OK;
        }
        return runPipeline(pipeline, rest, out, err);
    }
  }

  private static <O extends PipelineOptions, S extends RunSpec> int runPipeline(
      MeshflowPipeline<O, S> pipeline, List<String> args, PrintStream out, PrintStream err) {
    List<String> launch = withLauncherDefaults(pipeline, args);
    O options = parseOptions(pipeline, launch);
    S spec;
    S prepared;
    FlinkResume resume;
    List<AccessScope.Read> reads;
    // Every mesh:// product is resolved in this scope, for the run's domain: without a grant the
    // run stops here, before anything is read or written.
    String domain = pipeline.domain(options);
    try (AccessScope scope = AccessScope.open(domain, pipeline.name())) {
      spec = pipeline.spec(options); // the options read once; fails before anything is printed
      requireWritableFromWorkers(spec.sink(), options.getRunner().getSimpleName(), launch);
      resume = FlinkResume.of(pipeline.name(), launch);
      if (resume != null) {
        launch = resume.apply(launch, out);
        options = parseOptions(pipeline, launch); // adds runner settings, which the spec does not hold
      }
      RecordSource input = spec.input();
      if (input != null && LocalRun.runsHere(options.getRunner().getSimpleName(), launch)) {
        input.requireReachable(REACHABLE_WITHIN); // a broker that is down fails now, by name
        List<String> withThreads = ReaderThreads.forReaders(launch, options, input, REACHABLE_WITHIN, out);
        if (withThreads != launch) {
          options = parseOptions(pipeline, withThreads);
        }
      }
      prepared = pipeline.prepare(spec);
      reads = scope.reads();
    }
    TableSink sink = spec.sink();
    RecordSource input = spec.input();
    String source = spec.describeInput();
    int progressSeconds = options.as(LauncherOptions.class).getProgressSeconds();
    RunMetrics.resetLocal();
    long start = System.nanoTime();
    Thread closeOnInterrupt = new Thread(() -> {
      // Ctrl-C on an endless run: say what happened so far, and leave the sink readable.
      Map<String, Long> seen = RunMetrics.localSnapshot();
      err.printf("%nmeshflow: interrupted after %.0f s: read %,d, valid %,d, duplicates %,d,"
              + " dead letters %,d (counts of this JVM)%n",
          (System.nanoTime() - start) / 1e9, seen.getOrDefault(RunMetrics.READ, 0L),
          seen.getOrDefault(RunMetrics.VALID, 0L), seen.getOrDefault(RunMetrics.DUPLICATES, 0L),
          RunMetrics.sumWithPrefix(seen, RunMetrics.DEAD_LETTERS + "."));
      if (sink != null) {
        sink.close();
        err.println("meshflow: output closed: " + sink.describe());
      }
    }, "meshflow-close-sink");
    Runtime.getRuntime().addShutdownHook(closeOnInterrupt);
    out.println("meshflow: running " + pipeline.name() + " on "
        + options.getRunner().getSimpleName() + " from " + source);
    PipelineResult result;
    PipelineResult.State state;
    String revoked;
    RunCounts counts;
    RuntimeException failure = null;
    boolean streaming = options.as(StreamingOptions.class).isStreaming();
    RunLineage lineage = RunLineage.start(pipeline.name(), spec, domain,
        options.getRunner().getSimpleName(), streaming, reads, options.as(GovernanceOptions.class), err);
    try (ProgressReporter progress = ProgressReporter.start(err, progressSeconds, streaming,
        streaming && input != null ? input.backlogProbe() : null,
        LocalRun.where(options.getRunner().getSimpleName(), launch));
        GrantWatch grants = GrantWatch.start(streaming ? reads : List.of(), pipeline.name(), err);
        JobDashboard dashboard = JobDashboard.start(options, launch, sink, lineage.file(), progress, out)) {
      result = pipeline.start(options, prepared);
      grants.watching(result);
      state = result.waitUntilFinish();
      revoked = grants.stopReason();
      counts = RunCounts.of(result); // settled once, for the lineage and the summary
      lineage.finished(result, state, counts);
    } catch (RuntimeException e) {
      failure = e;
      lineage.failed(e);
      throw e;
    } finally {
      // Reached on success and on failure alike; only an interrupt leaves the hook to run.
      Runtime.getRuntime().removeShutdownHook(closeOnInterrupt);
      if (sink != null) {
        closeKeepingTheCause(sink, failure);
      }
    }
    if (resume != null && state == PipelineResult.State.DONE) {
      resume.finished();
    }
    RunSummary.print(out, pipeline, spec, options, result, counts, state, (System.nanoTime() - start) / 1e9);
    out.printf("  %-13s %s%n", "lineage", lineage.describe());
    if (revoked != null) {
      err.println("meshflow: refused: " + revoked);
      return REFUSED;
    }
    return state == PipelineResult.State.DONE ? OK : FAILED;
  }

  /**
   * Closes the sink. After a failed run, workers may still hold the warehouse (DuckDB will not
   * checkpoint under an open transaction); that close error is attached to the run's own error
   * instead of replacing it, so the user sees why the run failed.
   */
  private static void closeKeepingTheCause(TableSink sink, RuntimeException failure) {
    try {
      sink.close();
    } catch (RuntimeException closeFailed) {
      if (failure == null) {
        throw closeFailed;
      }
      failure.addSuppressed(closeFailed);
    }
  }

  /** The user's options with the launcher's defaults for the runner added. */
  private static List<String> withLauncherDefaults(MeshflowPipeline<?, ?> pipeline, List<String> args) {
    for (String a : args) {
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException(
            "unexpected argument '" + a + "'; options look like --name=value (see ./meshflow "
                + pipeline.name() + " --help)");
      }
    }
    return RunnerDefaults.apply(args, pipeline.name());
  }

  /**
   * A DuckDB file admits one writing process on one machine, and a cluster's workers are several:
   * found when two TaskManagers of a standalone Flink cluster both waited for the file's lock.
   */
  private static void requireWritableFromWorkers(TableSink sink, String runner, List<String> launch) {
    if (sink != null && sink.oneWritingProcess() && !LocalRun.runsHere(runner, launch)) {
      throw new IllegalArgumentException("--sink: " + sink.describe() + " admits one writing process, and "
          + runner + " runs this job on a cluster's workers; write to PostgreSQL"
          + " (--sink=postgresql://host:port/db?user=U), which every worker reaches");
    }
  }

  private static <O extends PipelineOptions> O parseOptions(
      MeshflowPipeline<O, ?> pipeline, List<String> withDefaults) {
    try {
      // Not registered: pipelines share option names with different defaults (--models), which
      // Beam refuses once both interfaces are registered in one JVM. Parsing needs only the class.
      return PipelineOptionsFactory.fromArgs(
              EnumOptionValues.normalize(withDefaults, pipeline.optionsClass()).toArray(new String[0]))
          .withValidation()
          .as(pipeline.optionsClass());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(OptionErrors.readable(e.getMessage())
          + " (./meshflow " + pipeline.name() + " --help lists the options)");
    }
  }

  private static void usage(PrintStream out) {
    out.println("Usage: ./meshflow <command> [options]");
    out.println();
    out.println("Commands:");
    out.println("  list                     the pipelines, one line each");
    out.println("  <pipeline> --help        a pipeline's options, with defaults");
    out.println("  <pipeline> [options]     run a pipeline (e.g. ./meshflow interaction-analytics)");
    out.println("  endpoints                the --source and --sink URIs and their parameters");
    out.println("  query [--db=WAREHOUSE] [SQL]");
    out.println("                           look at a warehouse, read-only (default "
        + QueryCommand.DEFAULT_DB + "; also postgresql://...)");
    out.println("  generate [GENERATOR-URI] write generated events as JSON lines to standard output");
    out.println("  catalog <command>        the mesh's data products: list, show, search, check,");
    out.println("                           register, deprecate (default catalog: "
        + CatalogCommand.DEFAULT_DIR + "/)");
    out.println("  access <command>         who may read which product: request, approve, deny, revoke,");
    out.println("                           list, audit");
    out.println("  lineage [NAME]           where a table, topic or product came from and went, from the");
    out.println("                           runs' OpenLineage events");
    out.println();
    out.println("  produce [options]        the Users, Songs and Podcasts domains' changes, with their");
    out.println("                           outbox events, in their PostgreSQL tables");
    out.println("  ingest-api [options]     HTTP endpoint: POST records of a product, checked against its");
    out.println("                           contract, published in one transaction per batch");
    out.println("  serve [options]          HTTP API: recommendations, similar items and trending, from");
    out.println("                           the store the recommendations pipeline writes");
    out.println("  dashboard [options]      a live web page: trends, pipeline health, products and lineage,");
    out.println("                           alerts and model quality, from a warehouse");
    out.println("  stop --flinkMaster=H:P --job=NAME");
    out.println("                           stop a streaming job on a Flink cluster with a savepoint;");
    out.println("                           resume with the job's command plus --savepointPath");
    out.println();
    out.println("query, generate, catalog, access, lineage, produce, ingest-api, serve, dashboard and stop explain"
        + " their options with --help.");
    out.println("Exit codes: 0 done, 1 failed, 2 a usage error, 3 refused by the mesh's governance.");
  }
}
