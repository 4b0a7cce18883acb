package dev.meshflow.io.mesh.governance;

import dev.meshflow.io.DatasetName;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.DataContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The consumer domain a run or command acts for, while its sources are resolved. Sources are made
 * from URIs by factories that know nothing of the run, so the domain is ambient to the launch, as
 * a security principal is ({@code Subject.doAs}): {@link #open} it around the code that resolves
 * {@code mesh://} products, and every resolution asks {@link #authorize}.
 *
 * <p>Each decision, granted or refused, goes to the catalog's audit trail. The products read are
 * kept ({@link #reads}), so that the launcher can watch their grants while a streaming run goes
 * on, and name them in the run's lineage.
 */
public final class AccessScope implements AutoCloseable {
  private static final ThreadLocal<AccessScope> CURRENT = new ThreadLocal<>();

  private final String domain;
  private final String job;
  private final AccessScope outer;
  private final List<Read> reads = new ArrayList<>();

  /**
   * A decision to let the acting domain read a product, and under what.
   *
   * @param grantId the grant that allows it; null when the domain owns the product
   * @param pii whether its personal data is delivered raw
   */
  public record Use(Path catalogDir, String product, String grantId, boolean pii) {}

  /**
   * A product a run reads and how: the grant it reads under (the launcher watches it while a
   * streaming run goes on), and, for the run's lineage, the fields delivered, the schema version
   * registered when it was resolved, and the datasets (ports) it is read from.
   *
   * @param grantId the grant that allows it; null when the domain owns the product
   * @param pii whether its personal data is delivered raw
   */
  public record Read(Path catalogDir, String product, String owner, String grantId, boolean pii,
      int schemaId, int schemaVersion, List<ContractField> fields, List<DatasetName> datasets) {}

  private AccessScope(String domain, String job, AccessScope outer) {
    this.domain = domain;
    this.job = job;
    this.outer = outer;
  }

  /** Acts for {@code domain} in this thread until closed; {@code job} names the run or command. */
  public static AccessScope open(String domain, String job) {
    AccessScope scope = new AccessScope(MeshNames.require("domain", domain), job, CURRENT.get());
    CURRENT.set(scope);
    return scope;
  }

  /** The scope this thread acts in, if any. */
  public static Optional<AccessScope> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  public String domain() {
    return domain;
  }

  public String job() {
    return job;
  }

  /**
   * Whether the domain acting in this thread may read {@code contract}: it owns the product, or
   * it holds an active grant. Records the decision; a refusal throws with the command that asks.
   */
  public static Use authorize(Path catalogDir, GrantLog grants, AuditTrail audit, DataContract contract) {
    AccessScope scope = CURRENT.get();
    if (scope == null) {
      throw new IllegalStateException("mesh://" + contract.name() + " is resolved outside a run or"
          + " command that names its consumer domain (AccessScope.open)");
    }
    return scope.decide(catalogDir, grants, audit, contract);
  }

  private Use decide(Path catalogDir, GrantLog grants, AuditTrail audit, DataContract contract) {
    String product = contract.name();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("domain", domain);
    details.put("product", product);
    details.put("job", job);
    Use use;
    if (contract.domain().equals(domain)) {
      use = new Use(catalogDir, product, null, true);
      details.put("basis", "owner");
    } else {
      Optional<Grant> grant = grants.active(domain, product);
      if (grant.isEmpty()) {
        details.put("decision", "refused");
        audit.record("read", details);
        throw new AccessRefusedException(refusal(catalogDir, grants, product));
      }
      use = new Use(catalogDir, product, grant.get().id(), grant.get().pii());
      details.put("basis", grant.get().id());
    }
    details.put("decision", "granted");
    details.put("pii", use.pii() ? "raw" : "protected");
    audit.record("read", details);
    return use;
  }

  private String refusal(Path catalogDir, GrantLog grants, String product) {
    String state = grants.latest(domain, product).map(g -> switch (g.state()) {
      case PENDING -> " (request " + g.id() + " is pending with the " + product + " domain's owner)";
      case DENIED -> " (request " + g.id() + " was denied by " + g.decidedBy() + ")";
      case REVOKED -> " (grant " + g.id() + " was revoked by " + g.decidedBy() + ")";
      case ACTIVE -> "";
    }).orElse("");
    String catalog = catalogDir.equals(Path.of("catalog")) ? "" : " --catalog=" + catalogDir;
    if (!java.nio.file.Files.exists(grants.file())) {
      return "the " + domain + " domain holds no grant to read " + product + ": the catalog at " + catalogDir
          + " has no grant log yet (it predates governance); nothing was read. ./meshflow catalog init"
          + catalog + " adds the grants meshflow ships, and ./meshflow access request asks for more";
    }
    return "the " + domain + " domain holds no active grant to read " + product + state
        + "; nothing was read. Ask for one: ./meshflow access request --domain=" + domain
        + " --product=" + product + " --purpose=\"...\"" + catalog;
  }

  /** Notes how a product this scope authorized is read; see {@link #reads}. */
  public void read(Read read) {
    reads.add(read);
  }

  /** The products read in this scope, once each: for the grant watch and the lineage inputs. */
  public List<Read> reads() {
    Map<String, Read> once = new LinkedHashMap<>();
    reads.forEach(r -> once.putIfAbsent(r.catalogDir() + "/" + r.product() + r.datasets(), r));
    return List.copyOf(once.values());
  }

  @Override
  public void close() {
    CURRENT.set(outer);
  }
}
