package dev.meshflow.launcher;

import dev.meshflow.io.TableSink;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.pipelines.dashboard.DashboardServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./meshflow dashboard}: a live page of interaction trends, pipeline health, data products,
 * alerts and model quality over the warehouse a job writes to. Serves until interrupted.
 */
public final class DashboardCommand {
  static final int DEFAULT_PORT = 8070;
  private static final String USAGE = String.join("\n",
      "Usage: ./meshflow dashboard [options]",
      "",
      "Serves one page that shows, live (updated every few seconds while jobs write):",
      "  interaction trends   plays, skips, likes and playlist adds per minute for the last hour;",
      "                       top items now against an hour before; skip rate by genre",
      "  pipeline health      the latest runs with read = delivered + duplicates + dead letters and",
      "                       records/s; dead letters by stage and kind of reason, with payloads",
      "  data products        owners, freshness measured on each stream against its promise (red",
      "                       when late), consumers and grants; the lineage graph",
      "  alerts, anomalies    the latest fleet alerts and anomalous sessions, with their evidence",
      "  model quality        the skip model's AUC and log-loss with its retrains, feature drift,",
      "                       and the recommendations' online hit rate",
      "A panel whose table does not exist yet says so in one line. The page is read-only and takes no",
      "SQL from the browser.",
      "",
      "  --db=WAREHOUSE        (default: " + SinkOptions.DEFAULT_SINK + ") the warehouse a job writes to, as",
      "                        its --sink: a DuckDB file (readable between runs: a running job holds",
      "                        its lock) or postgresql://host:port/db?user=U (live while jobs write;",
      "                        password from PGPASSWORD)",
      "  --port=N              (default: " + DEFAULT_PORT + "; 0: any free port)",
      "  --bind=ADDRESS        (default: 127.0.0.1) listen on another interface only if you mean to",
      "  --refreshSeconds=N    (default: 2) how often the panels are read again, 1 to 60",
      "  --lineageFile=FILE    (default: lineage.jsonl beside a DuckDB warehouse, else",
      "                        warehouse/lineage.jsonl) the runs' OpenLineage events: runs and lineage",
      "  --catalog=DIR         (default: " + CatalogCommand.DEFAULT_DIR + ") the data products' catalog",
      "  --bootstrap=HOST:PORT (default: each contract's kafka port) the broker whose product topics",
      "                        are read, every 10 s, for each product's measured freshness",
      "  --help, -h            this text");

  private DashboardCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    String db = SinkOptions.DEFAULT_SINK;
    int port = DEFAULT_PORT;
    String bind = "127.0.0.1";
    long refreshSeconds = 2;
    String lineageFile = null;
    String catalog = CatalogCommand.DEFAULT_DIR;
    String bootstrap = null;
    Map<String, String> options = CommandArgs.options(args);
    if (CommandArgs.wantsHelp(options)) {
      out.println(USAGE);
      return Main.OK;
    }
    for (Map.Entry<String, String> option : options.entrySet()) {
      String name = option.getKey();
      String value = option.getValue();
      switch (name) {
        case "--db" -> db = value;
        case "--port" -> port = (int) CommandArgs.wholeNumber("dashboard", name, value, 0, 65_535);
        case "--bind" -> bind = value;
        case "--refreshSeconds" -> refreshSeconds = CommandArgs.wholeNumber("dashboard", name, value, 1, 60);
        case "--lineageFile" -> lineageFile = value;
        case "--catalog" -> catalog = value;
        case "--bootstrap" -> bootstrap = value;
        default -> throw CommandArgs.unknown("dashboard", name, value);
      }
    }
    TableSink warehouse = QueryCommand.warehouse("--db", db);
    Path lineage = RunLineage.fileOf(lineageFile, warehouse);
    try (DashboardServer dashboard = DashboardServer.start(warehouse::openReadOnly, warehouse.describe(), lineage,
        Path.of(catalog), bind, port, Duration.ofSeconds(refreshSeconds), () -> null, bootstrap)) {
      out.println("dashboard: " + dashboard.url() + " (warehouse: " + warehouse.describe() + "; runs and lineage: "
          + lineage + "; products: " + Path.of(catalog).toAbsolutePath().normalize() + "); Ctrl-C stops it");
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "stop-dashboard"));
      stopped.await();
    }
    return Main.OK;
  }
}
