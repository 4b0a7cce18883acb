package dev.meshflow.io.mesh.catalog;

import dev.meshflow.io.mesh.contract.ContractAvro;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.ContractReader;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.governance.AuditTrail;
import dev.meshflow.io.mesh.governance.GrantLog;
import dev.meshflow.io.mesh.governance.MeshNames;
import dev.meshflow.io.mesh.registry.CompatibilityMode;
import dev.meshflow.io.mesh.registry.Incompatibility;
import dev.meshflow.io.mesh.registry.SchemaRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The mesh's catalog: a directory of data contracts and their schema registry, plain files that
 * can live in git and be reviewed like code.
 *
 * <pre>
 * DIR/products/NAME.odcs.yaml   each product's current contract (ODCS v3)
 * DIR/registry/                 its Avro schema versions with global ids ({@link SchemaRegistry})
 * DIR/access/grants.jsonl        who may read what: requests and the owners' decisions ({@link GrantLog})
 * DIR/access/audit.jsonl         every access decision and grant change ({@link AuditTrail})
 * </pre>
 *
 * <p>A product's contract and its latest registered schema agree: {@link #register} checks the
 * new schema against the registry under the contract's compatibility mode, registers it, and only
 * then replaces the contract file.
 */
public final class MeshCatalog {
  /** The products meshflow ships, in {@code dev/meshflow/mesh/products/} on the class path. */
  public static final List<String> SHIPPED = List.of("users", "songs", "podcasts", "interactions");
  private static final String SUFFIX = ".odcs.yaml";
  private static final String ACCESS = "access";
  private static final Pattern STATUS_LINE = Pattern.compile("(?m)^status:[^\\n]*$");

  private final Path dir;
  private final SchemaRegistry registry;

  private MeshCatalog(Path dir) {
    this.dir = dir;
    this.registry = SchemaRegistry.at(dir.resolve("registry"));
  }

  /** The catalog in {@code dir}, which must exist. */
  public static MeshCatalog open(Path dir) {
    if (!Files.isDirectory(dir.resolve("products"))) {
      throw new IllegalArgumentException("no catalog at " + dir + " (it has no products/ folder);"
          + " ./meshflow catalog init --catalog=" + dir + " creates one with the shipped products");
    }
    return new MeshCatalog(dir);
  }

  /**
   * Creates a catalog in {@code dir} with the products meshflow ships, each with its schema as
   * version 1, and the grants its pipelines need. A shipped product the directory already has is
   * left as it is; so is a grant log.
   *
   * @return the products added, and "grants" when the grant log was added
   */
  public static List<String> init(Path dir) {
    MeshCatalog catalog = new MeshCatalog(dir);
    List<String> added = new ArrayList<>();
    for (String name : SHIPPED) {
      Path file = catalog.contractFile(name);
      if (!Files.exists(file)) {
        DataContract contract = ContractReader.parse(name + SUFFIX, shipped(name));
        catalog.publish(contract);
        added.add(name);
      }
    }
    Path grants = dir.resolve(ACCESS).resolve(GrantLog.FILE);
    if (!Files.exists(grants)) {
      write(grants, resource("/dev/meshflow/mesh/access/" + GrantLog.FILE));
      added.add("grants");
    }
    return added;
  }

  /** The shipped contract of {@code name}, as text. */
  public static String shipped(String name) {
    return resource("/dev/meshflow/mesh/products/" + name + SUFFIX);
  }

  private static String resource(String resource) {
    try (InputStream in = MeshCatalog.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  public SchemaRegistry registry() {
    return registry;
  }

  /**
   * The grants, read and checked now against the products' owners. Each product a grant names is
   * read once per load, however many lines name it.
   */
  public GrantLog grants() {
    Map<String, String> owners = new HashMap<>();
    return GrantLog.load(dir.resolve(ACCESS), product -> owners.computeIfAbsent(product, this::ownerOrNull));
  }

  public AuditTrail audit() {
    return AuditTrail.at(dir.resolve(ACCESS));
  }

  private String ownerOrNull(String product) {
    if (!MeshNames.isName(product) || !Files.isRegularFile(contractFile(product))) {
      return null;
    }
    return readChecked(contractFile(product)).domain();
  }

  /** Every product, by name. A broken contract fails with its file and line. */
  public List<DataContract> products() {
    try (Stream<Path> files = Files.list(dir.resolve("products"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted()
          .map(this::readChecked).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One product; an unknown name fails with the names the catalog has. */
  public DataContract product(String name) {
    Path file = contractFile(name);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no product '" + name + "' in the catalog at " + dir
          + "; it has: " + String.join(", ", products().stream().map(DataContract::name).toList()));
    }
    return readChecked(file);
  }

  /** The registered schema versions of a product, oldest first. */
  public List<SchemaRegistry.Registered> versions(String name) {
    return registry.history(name);
  }

  /** A product that matched a search, and where. */
  public record Hit(DataContract product, List<String> matches) {}

  /** Products whose name, description, fields or field descriptions contain {@code text}. */
  public List<Hit> search(String text) {
    String needle = text.toLowerCase(Locale.ROOT);
    List<Hit> hits = new ArrayList<>();
    for (DataContract p : products()) {
      List<String> matches = new ArrayList<>();
      if (contains(p.name(), needle) || contains(p.domain(), needle)) {
        matches.add("name");
      }
      if (contains(p.purpose(), needle) || contains(p.usage(), needle)) {
        matches.add("description");
      }
      for (ContractField f : p.fields()) {
        if (contains(f.name(), needle) || contains(f.description(), needle)) {
          matches.add("field " + f.name());
        }
      }
      if (!matches.isEmpty()) {
        hits.add(new Hit(p, matches));
      }
    }
    return hits;
  }

  /** A registered contract and the schema version it holds. */
  public record Registration(DataContract contract, SchemaRegistry.Registered schema, boolean newVersion) {}

  /**
   * Registers a contract: a new product, or a new version of one. The schema is checked against
   * every version the contract's mode requires; an incompatible one is refused with each reason
   * ({@link SchemaRegistry.IncompatibleSchemaException}) and nothing changes.
   */
  public Registration register(Path contractFile) {
    DataContract contract = ContractReader.read(contractFile);
    Path current = contractFile(contract.name());
    if (Files.isRegularFile(current)) {
      DataContract before = readChecked(current);
      if (!before.domain().equals(contract.domain())) {
        throw new IllegalArgumentException(contractFile + ": product " + contract.name()
            + " belongs to the " + before.domain() + " domain, not " + contract.domain());
      }
      if (before.version().equals(contract.version()) && !before.text().equals(contract.text())) {
        throw new IllegalArgumentException(contractFile + ": version " + contract.version()
            + " of " + contract.name() + " is registered with different content; give the"
            + " contract a new version");
      }
    }
    int before = registry.history(contract.name()).size();
    SchemaRegistry.Registered schema = publish(contract);
    return new Registration(contract, schema, registry.history(contract.name()).size() > before);
  }

  /**
   * What registering a candidate for {@code product} would meet.
   *
   * @param mode the mode it is checked under: the candidate contract's, or for an Avro schema the
   *     product's registered mode
   * @param registeredMode the product's mode today; differs from {@code mode} when the candidate
   *     changes it
   * @param reasons each incompatibility; empty when the candidate is compatible
   */
  public record Verdict(CompatibilityMode mode, CompatibilityMode registeredMode,
      List<Incompatibility> reasons) {}

  /** Checks a candidate for {@code product}: a contract, or an Avro schema ({@code .avsc}). */
  public Verdict check(String product, Path candidate) {
    product(product); // an unknown product fails here, by name
    CompatibilityMode registered = registry.mode(product);
    Schema schema;
    CompatibilityMode mode = registered;
    if (candidate.getFileName().toString().endsWith(".avsc")) {
      schema = avsc(candidate);
    } else {
      DataContract contract = ContractReader.read(candidate);
      if (!contract.name().equals(product)) {
        throw new IllegalArgumentException(candidate + ": describes product '" + contract.name()
            + "', not " + product);
      }
      schema = ContractAvro.of(contract);
      mode = contract.compatibility();
    }
    return new Verdict(mode, registered, registry.check(product, schema, mode));
  }

  /** Marks a product deprecated: its contract's status line changes, nothing else. */
  public DataContract deprecate(String name) {
    DataContract contract = product(name);
    Matcher status = STATUS_LINE.matcher(contract.text());
    if (!status.find()) {
      throw new IllegalStateException(contract.file() + ": no top-level status line");
    }
    String text = status.replaceFirst("status: deprecated");
    write(contractFile(name), text);
    return readChecked(contractFile(name));
  }

  private SchemaRegistry.Registered publish(DataContract contract) {
    SchemaRegistry.Registered schema = registry.register(contract.name(), ContractAvro.of(contract),
        contract.compatibility());
    write(contractFile(contract.name()), contract.text());
    return schema;
  }

  private static Schema avsc(Path candidate) {
    try {
      return new Schema.Parser().parse(candidate.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + candidate + ": " + e.getMessage(), e);
    } catch (SchemaParseException e) {
      throw new IllegalArgumentException(candidate + ": not an Avro schema: " + e.getMessage());
    }
  }

  private DataContract readChecked(Path file) {
    DataContract contract = ContractReader.read(file);
    String expected = file.getFileName().toString();
    if (!expected.equals(contract.name() + SUFFIX)) {
      throw new IllegalArgumentException(file + ": names product '" + contract.name()
          + "'; its file must be " + contract.name() + SUFFIX);
    }
    return contract;
  }

  private Path contractFile(String name) {
    return dir.resolve("products").resolve(name + SUFFIX);
  }

  private static boolean contains(String haystack, String lowerNeedle) {
    return haystack != null && haystack.toLowerCase(Locale.ROOT).contains(lowerNeedle);
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Path partial = file.resolveSibling(file.getFileName() + ".partial");
      Files.writeString(partial, text, StandardCharsets.UTF_8);
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
