package dev.meshflow.launcher;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.producer.IngestEndpoint;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./meshflow ingest-api}: the HTTP ingest endpoint for producers in other languages. Each
 * POSTed batch is checked against the product's contract and its valid records are published in
 * one Kafka transaction. Serves until interrupted.
 */
public final class IngestApiCommand {
  private static final String USAGE = String.join("\n",
      "Usage: ./meshflow ingest-api [options]",
      "",
      "Serves POST /products/<product>/records: a JSON array of records, each checked against the",
      "product's contract. The valid ones are published to the product's topic in one Kafka",
      "transaction (all or nothing); the answer lists each refused record's index, field and reason.",
      "200: published (some may be refused); 422: all refused; 400 malformed JSON; 404 unknown",
      "product; 413 body too large.",
      "",
      "  --port=N            (default: 8088; 0: any free port)",
      "  --bind=ADDRESS      (default: 127.0.0.1) listen on another interface only if you mean to",
      "  --bootstrap=HOST:PORT  (default: each product's kafka port) the brokers",
      "  --maxBodyBytes=N    (default: 1048576) larger bodies are refused with 413",
      "  --catalog=DIR       (default: " + CatalogCommand.DEFAULT_DIR + ") the products' contracts",
      "  --help, -h          this text");

  private IngestApiCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    int port = 8088;
    String bind = "127.0.0.1";
    String bootstrap = null;
    String catalogDir = null;
    long maxBody = 1 << 20;
    Map<String, String> options = CommandArgs.options(args);
    if (CommandArgs.wantsHelp(options)) {
      out.println(USAGE);
      return Main.OK;
    }
    for (Map.Entry<String, String> option : options.entrySet()) {
      String name = option.getKey();
      String value = option.getValue();
      switch (name) {
        case "--port" -> port = (int) CommandArgs.wholeNumber("ingest-api", name, value, 0, 65_535);
        case "--bind" -> bind = value;
        case "--bootstrap" -> bootstrap = value;
        case "--catalog" -> catalogDir = value;
        case "--maxBodyBytes" -> maxBody = CommandArgs.wholeNumber("ingest-api", name, value, 1, 1L << 30);
        default -> throw CommandArgs.unknown("ingest-api", name, value);
      }
    }
    MeshCatalog catalog = CatalogCommand.open(catalogDir, err);
    try (IngestEndpoint endpoint = IngestEndpoint.start(catalog, bind, port, bootstrap, "", maxBody)) {
      out.println("ready: " + endpoint.url() + " (products: " + String.join(", ",
          catalog.products().stream().map(p -> p.name()).toList()) + "); Ctrl-C stops it");
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "stop-ingest-api"));
      stopped.await();
    }
    return Main.OK;
  }
}
