package dev.meshflow.io.mesh.consumer;

import dev.meshflow.io.DatasetName;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.ContractAvro;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.contract.OutputPort;
import dev.meshflow.io.mesh.governance.AccessScope;
import dev.meshflow.io.mesh.governance.MeshNames;
import dev.meshflow.io.mesh.governance.PiiHmac;
import dev.meshflow.io.mesh.registry.SchemaRegistry;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code mesh://PRODUCT} URI resolved through the catalog, once, at launch: the product's fields,
 * its registered schema versions (so that workers decode without the catalog's files), and its
 * ports. Parameters: {@code catalog=DIR} (default {@code catalog}), {@code bootstrap=HOST:PORT} and
 * {@code topic=NAME} (override the kafka port), {@code db=postgresql://...} (overrides the postgres
 * port's server; the password comes from PGPASSWORD).
 *
 * <p>Resolving is where governance acts: the domain the run acts for must own the product or hold
 * an active grant ({@link AccessScope#authorize}), or nothing is read. Without a PII grant, the
 * product's personal fields are delivered as its contract says: dropped (never selected or
 * decoded) or hashed ({@link PiiHmac}).
 */
public final class MeshProduct implements Serializable {
  public static final String SCHEME = "mesh";
  public static final Set<String> PARAMS = Set.of("catalog", "bootstrap", "topic", "db");
  private static final long serialVersionUID = 1L;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MeshProduct.class);

  private final String name;
  private final String keyField;
  private final List<ContractField> fields;
  private final Map<Integer, String> writerSchemas;
  private final String readerSchema;
  private final String bootstrap;
  private final String topic;
  private final String topicFormat;
  private final String jdbcUrl;
  private final String table;
  private final boolean hashesPii;

  private MeshProduct(String name, String keyField, List<ContractField> fields,
      Map<Integer, String> writerSchemas, String readerSchema, String bootstrap, String topic,
      String topicFormat, String jdbcUrl, String table, boolean hashesPii) {
    this.name = name;
    this.keyField = keyField;
    this.fields = fields;
    this.writerSchemas = writerSchemas;
    this.readerSchema = readerSchema;
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.topicFormat = topicFormat;
    this.jdbcUrl = jdbcUrl;
    this.table = table;
    this.hashesPii = hashesPii;
  }

  /** Resolves {@code mesh://PRODUCT?...}; {@code option} names it in messages (e.g. --catalog). */
  public static MeshProduct resolve(String option, String text) {
    EndpointUri uri = EndpointUri.parse(option, text).requireOnly(PARAMS);
    if (!uri.scheme().equals(SCHEME)) {
      throw new IllegalArgumentException("--" + option + "=" + text + ": expected mesh://PRODUCT");
    }
    String product = uri.body().replaceFirst("^//", "");
    Map<String, String> p = uri.params();
    MeshCatalog catalog = MeshCatalog.open(Path.of(p.getOrDefault("catalog", "catalog")));
    DataContract contract = catalog.product(MeshNames.require("product", product));
    AccessScope.Use use = AccessScope.authorize(catalog.dir(), catalog.grants(), catalog.audit(), contract);
    List<ContractField> delivered = contract.fields().stream()
        .filter(f -> use.pii() || !f.pii() || !ContractField.DROP.equals(f.piiDelivery())).toList();
    boolean hashes = delivered.stream().anyMatch(f -> f.pii() && !use.pii());
    if (hashes) {
      PiiHmac.requireKey(); // a missing key fails at launch, not on a worker
    }
    if (contract.deprecated()) {
      LOG.warn("mesh://{} is {} by its owner, {}; it may stop being published. `./meshflow catalog show {}`"
          + " says more", contract.name(), contract.status(), contract.team(), contract.name());
    }
    List<SchemaRegistry.Registered> history = catalog.registry().history(contract.name());
    Map<Integer, String> writers = new LinkedHashMap<>();
    for (SchemaRegistry.Registered r : history) {
      writers.put(r.id(), r.schema().toString());
    }
    OutputPort kafka = contract.port("kafka").orElse(null);
    OutputPort postgres = contract.port("postgres").or(() -> contract.port("postgresql")).orElse(null);
    String jdbc = null;
    String table = null;
    if (postgres != null) {
      String db = p.get("db");
      jdbc = db != null ? "jdbc:" + db.replaceFirst("^jdbc:", "")
          : "jdbc:postgresql://" + postgres.setting("host") + ":" + postgres.setting("port") + "/"
              + postgres.setting("database") + "?user=postgres";
      table = postgres.setting("schema") + "." + postgres.setting("table");
    }
    String bootstrap = kafka == null ? null : p.getOrDefault("bootstrap", kafka.setting("host"));
    String topic = kafka == null ? null : p.getOrDefault("topic", kafka.setting("topic"));
    List<DatasetName> datasets = new ArrayList<>();
    if (topic != null) {
      datasets.add(new DatasetName("kafka://" + bootstrap, topic));
    }
    if (table != null) {
      datasets.add(DatasetName.postgres(jdbc, table));
    }
    SchemaRegistry.Registered latest = history.isEmpty() ? null : history.get(history.size() - 1);
    AccessScope.current().ifPresent(scope -> scope.read(new AccessScope.Read(catalog.dir(), contract.name(),
        contract.domain(), use.grantId(), use.pii(), latest == null ? 0 : latest.id(), latest == null ? 0 : latest.version(),
        delivered, datasets)));
    return new MeshProduct(contract.name(), contract.key().map(ContractField::name).orElse(null),
        delivered, writers, ContractAvro.of(contract).toString(),
        bootstrap, topic,
        kafka == null ? null : kafka.settings().getOrDefault("format", "json"), jdbc, table, hashes);
  }

  /**
   * A field's value as this consumer may see it: a PII value hashed when its grant does not cover
   * personal data, anything else as it is.
   */
  public Object deliver(ContractField field, Object value) {
    return hashesPii && field.pii() && value != null ? PiiHmac.hash(value.toString()) : value;
  }

  public String name() {
    return name;
  }

  public String keyField() {
    return keyField;
  }

  public List<ContractField> fields() {
    return fields;
  }

  /** The field named {@code name}, if the product has it. */
  public java.util.Optional<ContractField> field(String name) {
    return fields.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  Map<Integer, String> writerSchemas() {
    return writerSchemas;
  }

  String readerSchema() {
    return readerSchema;
  }

  public String bootstrap() {
    return bootstrap;
  }

  public String topic() {
    return topic;
  }

  /** How the topic's records are written: avro (the Confluent wire format) or json (lines). */
  public String topicFormat() {
    return topicFormat;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String table() {
    return table;
  }
}
