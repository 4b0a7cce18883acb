package dev.meshflow.launcher;

import dev.meshflow.io.TableSink;
import dev.meshflow.io.mesh.catalog.CatalogTables;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.consumer.ProductTopicReader;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.contract.OutputPort;
import dev.meshflow.io.mesh.governance.AccessScope;
import dev.meshflow.io.mesh.registry.Incompatibility;
import dev.meshflow.io.mesh.registry.SchemaRegistry;
import dev.meshflow.io.sql.SqlTableSink;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./meshflow catalog <command>}: discover, register and check the mesh's data products.
 * The catalog is a directory of contracts and schema versions ({@link MeshCatalog}); the default
 * one is created with the shipped products on first use.
 */
public final class CatalogCommand {
  public static final String DEFAULT_DIR = "catalog";
  private static final String USAGE = String.join("\n",
      "Usage: ./meshflow catalog <command> [--catalog=DIR]",
      "",
      "Commands:",
      "  list                       every product: domain, owner, status, schema version, ports",
      "  show PRODUCT               its contract: fields, ports, SLA, schema versions",
      "  search TEXT                products whose name, description or fields mention TEXT",
      "  check PRODUCT FILE         would FILE (a contract, or an Avro .avsc) be a compatible next",
      "                             version? Exit 0: yes. Exit 1: no, with every reason.",
      "  register FILE              add a product, or a new version of one, from its contract",
      "                             (ODCS v3 YAML); an incompatible schema is refused (exit 1)",
      "  deprecate PRODUCT          mark a product deprecated",
      "  read PRODUCT               its topic's events as JSON lines, decoded with the product's",
      "                             schema, replays dropped, PII masked (--limit=N, default 20;",
      "                             --bootstrap=HOST:PORT and --topic=NAME override its kafka port;",
      "                             --domain=D, default " + QueryCommand.DEFAULT_DOMAIN + ", must hold a grant)",
      "  publish                    write the catalog into a warehouse as tables mesh_products,",
      "                             mesh_product_versions and mesh_product_fields, for SQL",
      "                             (--db=WAREHOUSE, as for query; default " + QueryCommand.DEFAULT_DB + ")",
      "  init                       create a catalog with the shipped products",
      "",
      "  --catalog=DIR   (default: " + DEFAULT_DIR + ", created with the products users, songs,",
      "                  podcasts and interactions on first use) a directory of contracts",
      "                  (products/NAME.odcs.yaml) and schema versions (registry/)",
      "  --help, -h      this text");

  private CatalogCommand() {}

  /** Runs one catalog command and returns its exit code. */
  public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    String dirOption = null;
    Map<String, String> readOptions = new HashMap<>();
    List<String> words = new ArrayList<>();
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.println(USAGE);
        return Main.OK;
      } else if (a.startsWith("--catalog=")) {
        dirOption = a.substring("--catalog=".length());
      } else if (a.startsWith("--limit=") || a.startsWith("--bootstrap=") || a.startsWith("--topic=")
          || a.startsWith("--db=") || a.startsWith("--domain=")) {
        readOptions.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else if (a.startsWith("--")) {
        throw new IllegalArgumentException("catalog: unknown option " + a
            + "; accepted: --catalog=DIR, for read --limit, --bootstrap, --topic, --domain, for publish --db"
            + " (./meshflow catalog --help)");
      } else {
        words.add(a);
      }
    }
    if (words.isEmpty()) {
      throw new IllegalArgumentException("catalog: which command? list, show, search, read, check,"
          + " register, deprecate or init (./meshflow catalog --help)");
    }
    Path dir = Path.of(dirOption == null ? DEFAULT_DIR : dirOption);
    String command = words.get(0);
    List<String> operands = words.subList(1, words.size());
    if (command.equals("init")) {
      expect(command, operands, 0, "");
      List<String> added = MeshCatalog.init(dir);
      out.println(added.isEmpty() ? "catalog " + dir + " already has the shipped products"
          : "catalog " + dir + ": added " + String.join(", ", added));
      return Main.OK;
    }
    MeshCatalog catalog = open(dirOption, err);
    switch (command) {
      case "list":
        expect(command, operands, 0, "");
        list(catalog, out);
        return Main.OK;
      case "show":
        expect(command, operands, 1, " PRODUCT");
        show(catalog, catalog.product(operands.get(0)), out);
        return Main.OK;
      case "search":
        if (operands.isEmpty()) {
          throw new IllegalArgumentException("catalog search: what text? (./meshflow catalog search genre)");
        }
        return search(catalog, String.join(" ", operands), out);
      case "check":
        expect(command, operands, 2, " PRODUCT FILE");
        return check(catalog, operands.get(0), existing(operands.get(1)), out);
      case "register":
        expect(command, operands, 1, " FILE");
        return register(catalog, existing(operands.get(0)), out, err);
      case "publish":
        expect(command, operands, 0, "");
        return publish(catalog, readOptions.getOrDefault("db", QueryCommand.DEFAULT_DB), out);
      case "read":
        expect(command, operands, 1, " PRODUCT");
        return read(catalog, catalog.product(operands.get(0)), readOptions, out, err);
      case "deprecate":
        expect(command, operands, 1, " PRODUCT");
        DataContract deprecated = catalog.deprecate(operands.get(0));
        out.println(deprecated.name() + ": status " + deprecated.status() + " in " + deprecated.file());
        return Main.OK;
      default:
        throw new IllegalArgumentException("catalog: unknown command '" + command + "'; commands:"
            + " list, show, search, read, check, register, deprecate, publish, init"
            + " (./meshflow catalog --help)");
    }
  }

  /**
   * The catalog of {@code --catalog} (null: the default, created with the shipped products on
   * first use). Any other directory must exist.
   */
  static MeshCatalog open(String dirOption, PrintStream err) {
    Path dir = Path.of(dirOption == null ? DEFAULT_DIR : dirOption);
    if (dirOption == null && !Files.exists(dir)) {
      MeshCatalog.init(dir);
      err.println("meshflow: created the catalog " + dir.toAbsolutePath().normalize()
          + " with the shipped products " + String.join(", ", MeshCatalog.SHIPPED));
    }
    return MeshCatalog.open(dir);
  }

  private static void list(MeshCatalog catalog, PrintStream out) {
    out.printf("%-14s %-14s %-22s %-11s %-9s %-13s %s%n", "product", "domain", "owner", "status",
        "version", "schema", "ports");
    for (DataContract p : catalog.products()) {
      List<SchemaRegistry.Registered> versions = catalog.versions(p.name());
      String schema = versions.isEmpty() ? "unregistered"
          : "v" + versions.get(versions.size() - 1).version() + " (id " + versions.get(versions.size() - 1).id() + ")";
      out.printf("%-14s %-14s %-22s %-11s %-9s %-13s %s%n", p.name(), p.domain(), p.team(),
          p.status(), p.version(), schema,
          String.join(", ", p.ports().stream().map(OutputPort::type).distinct().toList()));
    }
  }

  private static void show(MeshCatalog catalog, DataContract p, PrintStream out) {
    out.println(p.name() + "  (" + p.id() + ", contract version " + p.version() + ", " + p.status() + ")");
    out.println("  owner         " + p.team() + ", " + p.domain() + " domain");
    if (!p.purpose().isEmpty()) {
      out.println("  purpose       " + p.purpose());
    }
    if (!p.usage().isEmpty()) {
      out.println("  usage         " + p.usage());
    }
    out.println("  fields");
    for (ContractField f : p.fields()) {
      List<String> notes = new ArrayList<>();
      notes.add(f.required() ? "required" : "optional");
      if (f.primaryKey()) {
        notes.add("key");
      }
      if (f.pii()) {
        notes.add("PII");
      }
      if (!f.allowedValues().isEmpty()) {
        notes.add("one of " + String.join("|", f.allowedValues()));
      }
      if (f.minimum() != null || f.maximum() != null) {
        notes.add((f.minimum() == null ? "" : f.minimum().toPlainString()) + ".."
            + (f.maximum() == null ? "" : f.maximum().toPlainString()));
      }
      if (f.pattern() != null) {
        notes.add("matches " + f.pattern());
      }
      out.printf("    %-16s %-22s %s%n", f.name(), f.typeLabel(), String.join(", ", notes));
    }
    out.println("  ports");
    for (OutputPort port : p.ports()) {
      out.printf("    %-20s %s%n", port.server(), port.describe());
    }
    out.println("  SLA           freshness " + duration(p.freshness()) + ", allowed lateness "
        + duration(p.allowedLateness()));
    out.println("  compatibility " + p.compatibility());
    List<SchemaRegistry.Registered> versions = catalog.versions(p.name());
    out.println("  schema        " + (versions.isEmpty() ? "no registered version"
        : String.join(", ", versions.stream().map(v -> "v" + v.version() + " (id " + v.id() + ")")
            .toList())));
    out.println("  contract      " + p.file());
  }

  private static int search(MeshCatalog catalog, String text, PrintStream out) {
    List<MeshCatalog.Hit> hits = catalog.search(text);
    if (hits.isEmpty()) {
      out.println("no product mentions '" + text + "' (./meshflow catalog list shows them all)");
      return Main.OK;
    }
    for (MeshCatalog.Hit hit : hits) {
      out.printf("%-14s %s%n", hit.product().name(), String.join(", ", hit.matches()));
    }
    return Main.OK;
  }

  private static int read(MeshCatalog catalog, DataContract product, Map<String, String> options,
      PrintStream out, PrintStream err) {
    OutputPort kafka = product.port("kafka").orElseThrow(() -> new IllegalArgumentException(
        product.name() + " has no kafka port to read"));
    if (!"avro".equals(kafka.setting("format"))) {
      throw new IllegalArgumentException(product.name() + "'s topic carries " + kafka.setting("format")
          + ", not Avro in the wire format; read it with a pipeline's --source=kafka://...");
    }
    long limit;
    try {
      limit = Long.parseLong(options.getOrDefault("limit", "20"));
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1) {
      throw new IllegalArgumentException("catalog read: --limit=" + options.get("limit")
          + " is not a whole number from 1");
    }
    try (AccessScope scope = AccessScope.open(options.getOrDefault("domain", QueryCommand.DEFAULT_DOMAIN),
        "catalog read")) {
      AccessScope.authorize(catalog.dir(), catalog.grants(), catalog.audit(), product);
    }
    String bootstrap = options.getOrDefault("bootstrap", kafka.setting("host"));
    String topic = options.getOrDefault("topic", kafka.setting("topic"));
    ProductTopicReader.Counts counts = ProductTopicReader.read(product, catalog.registry(), bootstrap,
        topic, limit, out::println);
    err.printf("meshflow: read %,d records of %s at %s (%,d replays dropped, %,d deletes)%n",
        counts.records(), topic, bootstrap, counts.duplicates(), counts.tombstones());
    return Main.OK;
  }

  private static int publish(MeshCatalog catalog, String db, PrintStream out) throws Exception {
    TableSink warehouse = QueryCommand.warehouse("--db", db);
    CatalogTables.Counts[] written = new CatalogTables.Counts[1];
    ((SqlTableSink) warehouse).withConnection(c -> written[0] = CatalogTables.publish(c, catalog));
    out.printf("catalog: %d products, %d schema versions and %d fields written to %s, %s and %s in %s%n",
        written[0].products(), written[0].versions(), written[0].fields(), CatalogTables.PRODUCTS,
        CatalogTables.VERSIONS, CatalogTables.FIELDS, warehouse.describe());
    out.println("  look     " + warehouse.lookCommand("SELECT product, owner, status, latest_schema_version FROM "
        + CatalogTables.PRODUCTS));
    return Main.OK;
  }

  private static int check(MeshCatalog catalog, String product, Path candidate, PrintStream out) {
    MeshCatalog.Verdict verdict = catalog.check(product, candidate);
    if (verdict.mode() != verdict.registeredMode()) {
      out.println(product + ": the candidate changes the compatibility mode from "
          + verdict.registeredMode() + " to " + verdict.mode() + ", and is checked under "
          + verdict.mode());
    }
    int versions = catalog.versions(product).size();
    if (verdict.reasons().isEmpty()) {
      out.println(product + ": " + candidate + " is " + verdict.mode() + " compatible with its "
          + versions + (versions == 1 ? " registered version" : " registered versions"));
      return Main.OK;
    }
    out.println(product + ": " + candidate + " is not " + verdict.mode() + " compatible ("
        + verdict.reasons().size() + (verdict.reasons().size() == 1 ? " reason):" : " reasons):"));
    for (Incompatibility reason : verdict.reasons()) {
      out.println("  " + reason.describe());
    }
    return Main.FAILED;
  }

  private static int register(MeshCatalog catalog, Path file, PrintStream out, PrintStream err) {
    try {
      MeshCatalog.Registration r = catalog.register(file);
      out.println(r.contract().name() + ": contract " + r.contract().version() + " registered; schema "
          + (r.newVersion() ? "version " : "unchanged, version ") + r.schema().version()
          + " (id " + r.schema().id() + ")");
      return Main.OK;
    } catch (SchemaRegistry.IncompatibleSchemaException refused) {
      err.println("meshflow: refused: " + refused.getMessage());
      return Main.FAILED;
    }
  }

  private static Path existing(String file) {
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("no file " + file);
    }
    return path;
  }

  private static void expect(String command, List<String> operands, int count, String shape) {
    if (operands.size() != count) {
      throw new IllegalArgumentException("catalog " + command + " takes " + (count == 0 ? "nothing"
          : shape.trim()) + "; got " + (operands.isEmpty() ? "nothing" : String.join(" ", operands))
          + " (usage: ./meshflow catalog " + command + shape + ")");
    }
  }

  private static String duration(Duration d) {
    if (d == null) {
      return "not promised";
    }
    return d.toMillis() % 60_000 != 0 ? d.toSeconds() + " s" : d.toMinutes() + " min";
  }
}
