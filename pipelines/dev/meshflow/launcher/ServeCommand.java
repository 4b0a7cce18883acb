package dev.meshflow.launcher;

import dev.meshflow.io.TableSink;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.pipelines.recommendations.serving.RecommendationApi;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./meshflow serve}: the recommendations API over the store the {@code recommendations}
 * job writes. Serves until interrupted.
 */
public final class ServeCommand {
  private static final String USAGE = String.join("\n",
      "Usage: ./meshflow serve [options]",
      "",
      "Serves the recommendations the recommendations pipeline keeps in its store, as HTTP and JSON:",
      "  GET /recommendations/<user_id>?n=10&type=song|podcast   a user's best items, each with its reason",
      "  GET /items/<item_id>/similar?n=10&type=                 items most played together with it",
      "  GET /trending?n=10&type=                                the latest trending window's top items",
      "  POST /events                                            one interaction, checked against the",
      "                                                          Interactions contract and published",
      "  GET /health, GET /openapi.json                          the store's state; this API described",
      "400 a bad parameter; 404 an unknown path or item; 503 the store is away or empty (each request",
      "tries again, so the API recovers by itself).",
      "",
      "  --store=WAREHOUSE   (default: " + SinkOptions.DEFAULT_SINK + ") where the recommendations job",
      "                      writes: postgresql://host:port/db?user=U while a streaming job runs (DuckDB",
      "                      admits one process per file), or a DuckDB file after a batch run",
      "  --port=N            (default: 8090; 0: any free port)",
      "  --bind=ADDRESS      (default: 127.0.0.1) listen on another interface only if you mean to",
      "  --threads=N         (default: 8) requests answered at once, each with its own connection",
      "  --catalog=DIR       (default: " + CatalogCommand.DEFAULT_DIR + ") where POST /events finds the",
      "                      interactions product's contract and topic",
      "  --bootstrap=HOST:PORT  (default: the product's kafka port) the brokers POST /events publishes to",
      "  --servedLists=kafka://HOST:PORT/TOPIC  (default: none) log each list served, with the served_id",
      "                      its reply carries, for the recommendations job's online evaluation",
      "                      (recommendations --servedLists=the same URI writes rec_online_evaluation)",
      "  --cacheMillis=N     (default: 500) how old each item's kept neighbourhood (its co-listened",
      "                      items, their plays and versions) may be before it is read again, by a",
      "                      thread of the API's own while requests are answered from the kept one;",
      "                      a request reads it itself only the first time, or past 20 x N; a",
      "                      listener's own history is always read; 0 reads everything for every",
      "                      request",
      "  --help, -h          this text");

  private ServeCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    String store = SinkOptions.DEFAULT_SINK;
    int port = 8090;
    String bind = "127.0.0.1";
    int threads = 8;
    String catalog = CatalogCommand.DEFAULT_DIR;
    String bootstrap = null;
    String servedLists = null;
    long cacheMillis = 500;
    Map<String, String> options = CommandArgs.options(args);
    if (CommandArgs.wantsHelp(options)) {
      out.println(USAGE);
      return Main.OK;
    }
    for (Map.Entry<String, String> option : options.entrySet()) {
      String name = option.getKey();
      String value = option.getValue();
      switch (name) {
        case "--store" -> store = value;
        case "--port" -> port = (int) CommandArgs.wholeNumber("serve", name, value, 0, 65_535);
        case "--bind" -> bind = value;
        case "--threads" -> threads = (int) CommandArgs.wholeNumber("serve", name, value, 1, 256);
        case "--catalog" -> catalog = value;
        case "--bootstrap" -> bootstrap = value;
        case "--servedLists" -> servedLists = value;
        case "--cacheMillis" -> cacheMillis = CommandArgs.wholeNumber("serve", name, value, 0, 60_000);
        default -> throw CommandArgs.unknown("serve", name, value);
      }
    }
    TableSink warehouse = QueryCommand.warehouse("--store", store);
    try (RecommendationApi api = RecommendationApi.start(warehouse, java.nio.file.Path.of(catalog), bootstrap, null,
        bind, port, threads, servedLists, cacheMillis)) {
      out.println("ready: " + api.url() + "/recommendations/<user_id> (store: " + warehouse.describe()
          + (servedLists == null ? "" : "; each list served is logged to " + servedLists)
          + "; " + api.url() + "/openapi.json describes the API); Ctrl-C stops it");
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "stop-serve"));
      stopped.await();
    }
    return Main.OK;
  }
}
