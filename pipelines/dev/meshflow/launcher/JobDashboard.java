package dev.meshflow.launcher;

import dev.meshflow.io.TableSink;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.pipelines.dashboard.DashboardServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code --dashboardPort}: the dashboard served from the job's own JVM while the job runs, reading
 * the warehouse through the job's own DuckDB instance (a DuckDB file admits only its writing
 * process), with the job's progress line above the runs. It stops before the sink closes, so it
 * never reopens the file after the job.
 */
final class JobDashboard implements AutoCloseable {
  private final DashboardServer server;

  private JobDashboard(DashboardServer server) {
    this.server = server;
  }

  /** Starts the dashboard if {@code --dashboardPort} asks for one; a no-op otherwise. */
  static JobDashboard start(PipelineOptions options, List<String> launch, TableSink sink, Path lineageFile,
      ProgressReporter progress, PrintStream out) {
    int port = options.as(LauncherOptions.class).getDashboardPort();
    if (port == 0) {
      return new JobDashboard(null);
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("--dashboardPort=" + port + " is not a port from 1 to 65535 (0: no dashboard)");
    }
    if (sink == null || sink.dbArgument() == null) {
      throw new IllegalArgumentException("--dashboardPort needs a warehouse sink (duckdb:<file> or postgresql://...);"
          + " this run writes to " + (sink == null ? "no sink" : sink.describe()));
    }
    if (!LocalRun.runsHere(options.getRunner().getSimpleName(), launch)) {
      throw new IllegalArgumentException("--dashboardPort serves from the launcher's JVM, and this job runs on a"
          + " cluster; run " + sink.dashboardCommand() + " beside it instead");
    }
    DashboardServer server;
    try {
      server = DashboardServer.start(sink::openBesideWriter, sink.describe(), lineageFile,
          Path.of(CatalogCommand.DEFAULT_DIR), "127.0.0.1", port, Duration.ofSeconds(2), progress::lastLine, null);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("--dashboardPort=" + port + ": cannot listen there (" + e.getMessage()
          + "); choose another port", e);
    } catch (Exception e) {
      throw new IllegalStateException("the dashboard did not start: " + e.getMessage(), e);
    }
    out.println("meshflow: dashboard at " + server.url() + " while the job runs");
    return new JobDashboard(server);
  }

  @Override
  public void close() {
    if (server != null) {
      try {
        server.close();
      } catch (Exception e) {
        throw new IllegalStateException("the dashboard did not stop: " + e.getMessage(), e);
      }
    }
  }
}
