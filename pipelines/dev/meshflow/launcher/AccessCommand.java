package dev.meshflow.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.governance.AuditTrail;
import dev.meshflow.io.mesh.governance.Grant;
import dev.meshflow.io.mesh.governance.GrantLog;
import dev.meshflow.io.mesh.governance.MeshNames;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./meshflow access <command>}: the grant workflow. A consumer domain requests access to a
 * product; the product's owning domain approves or denies it; the owner or the grantee revokes
 * it. Every step is a line in the catalog's grant log and in its audit trail.
 */
final class AccessCommand {
  private static final String USAGE = String.join("\n",
      "Usage: ./meshflow access <command> [--catalog=DIR]",
      "",
      "Commands:",
      "  request --domain=D --product=P --purpose=\"...\" [--pii]",
      "                       domain D asks to read product P (with --pii: its personal data raw);",
      "                       the request is pending until P's owning domain decides",
      "  approve ID --as=OWNER [--reason=\"...\"]",
      "                       the product's owning domain grants request ID (e.g. g-12)",
      "  deny ID --as=OWNER [--reason=\"...\"]",
      "                       the owning domain refuses it",
      "  revoke ID --as=DOMAIN [--reason=\"...\"]",
      "                       the owner, or the grantee, ends an active grant; the next run is",
      "                       refused, and a streaming run that reads under it stops",
      "  list [--domain=D] [--product=P]",
      "                       every grant: state, PII, purpose, who asked and who decided",
      "  audit [--limit=N]    every access decision and grant change, with who, what, when, why",
      "                       (default: the last 50)",
      "",
      "  --catalog=DIR   (default: " + CatalogCommand.DEFAULT_DIR + ") the catalog whose grants these are;",
      "                  grants live in DIR/access/grants.jsonl, an append-only log for git",
      "  --help, -h      this text",
      "",
      "A domain acts through --domain (request) or --as (decisions). Acting for a domain other",
      "than the product's owner is refused (exit 3).");
  private static final Set<String> OPTIONS = Set.of("--catalog", "--domain", "--product", "--purpose",
      "--pii", "--as", "--reason", "--limit", "--help", "-h");

  private AccessCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    Map<String, String> options = new LinkedHashMap<>();
    List<String> words = new ArrayList<>();
    for (String a : args) {
      if (!a.startsWith("-")) {
        words.add(a);
        continue;
      }
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      if (!OPTIONS.contains(name)) {
        throw CommandArgs.unknown("access", name, eq < 0 ? "" : a.substring(eq + 1));
      }
      options.put(name, eq < 0 ? "" : a.substring(eq + 1));
    }
    if (CommandArgs.wantsHelp(options)) {
      out.println(USAGE);
      return Main.OK;
    }
    if (words.isEmpty()) {
      throw new IllegalArgumentException("access: which command? request, approve, deny, revoke, list"
          + " or audit (./meshflow access --help)");
    }
    MeshCatalog catalog = CatalogCommand.open(options.get("--catalog"), err);
    String command = words.get(0);
    List<String> operands = words.subList(1, words.size());
    switch (command) {
      case "request" -> request(catalog, options, operands, out);
      case "approve", "deny", "revoke" -> decide(catalog, command, options, operands, out);
      case "list" -> list(catalog, options, operands, out);
      case "audit" -> audit(catalog, options, operands, out);
      default -> throw new IllegalArgumentException("access: unknown command '" + command
          + "'; commands: request, approve, deny, revoke, list, audit (./meshflow access --help)");
    }
    return Main.OK;
  }

  private static void request(MeshCatalog catalog, Map<String, String> options, List<String> operands,
      PrintStream out) {
    none("request", operands);
    String domain = MeshNames.require("domain", required(options, "--domain", "request"));
    String product = MeshNames.require("product", required(options, "--product", "request"));
    String purpose = required(options, "--purpose", "request");
    String owner = catalog.product(product).domain(); // an unknown product fails here, by name
    boolean pii = flag(options, "--pii");
    Grant g = catalog.grants().request(domain, product, pii, purpose, AuditTrail.user());
    record(catalog, "request", g, domain, purpose);
    out.println(g.id() + ": the " + domain + " domain asks to read " + product
        + (pii ? " with its personal data" : " (personal data protected)") + "; pending.");
    out.println("  The " + owner + " domain decides: ./meshflow access approve " + g.id() + " --as=" + owner
        + "  (or deny)" + catalogOption(catalog));
  }

  private static void decide(MeshCatalog catalog, String action, Map<String, String> options,
      List<String> operands, PrintStream out) {
    if (operands.size() != 1) {
      throw new IllegalArgumentException("access " + action + ": which grant? e.g. ./meshflow access "
          + action + " g-12 --as=DOMAIN");
    }
    String id = MeshNames.requireGrantId(operands.get(0));
    String as = MeshNames.require("domain", required(options, "--as", action));
    GrantLog grants = catalog.grants();
    if (grants.get(id).isEmpty()) {
      throw new IllegalArgumentException("access " + action + ": no grant " + id + " in "
          + grants.file() + " (./meshflow access list)");
    }
    String reason = options.get("--reason");
    Grant g = grants.decide(action, id, as, AuditTrail.user(), reason);
    record(catalog, action, g, as, reason);
    out.println(g.id() + ": " + g.domain() + " reads " + g.product() + (g.pii() ? " with PII" : "")
        + " is now " + state(g) + " (by " + as + ")");
  }

  private static void list(MeshCatalog catalog, Map<String, String> options, List<String> operands,
      PrintStream out) {
    none("list", operands);
    String domain = options.get("--domain");
    String product = options.get("--product");
    String row = "%-6s  %-16s  %-13s  %-8s  %-3s  %-30s  %s%n";
    out.printf(row, "grant", "domain", "product", "state", "pii", "decided (UTC)", "purpose");
    int shown = 0;
    GrantLog grants = catalog.grants();
    for (Grant g : grants.all()) {
      if (domain != null && !g.domain().equals(domain) || product != null && !g.product().equals(product)) {
        continue;
      }
      String decided = g.decidedBy() == null ? "-" : g.decidedBy() + " " + g.decidedAt().toString()
          .substring(0, 16).replace('T', ' ');
      out.printf(row, g.id(), g.domain(), g.product(), state(g),
          g.pii() ? "yes" : "no", decided, g.purpose());
      shown++;
    }
    out.println("(" + shown + (shown == 1 ? " grant)" : " grants)") + " from " + grants.file());
  }

  private static void audit(MeshCatalog catalog, Map<String, String> options, List<String> operands,
      PrintStream out) {
    none("audit", operands);
    long limit = options.containsKey("--limit")
        ? CommandArgs.wholeNumber("access", "--limit", options.get("--limit"), 1, Integer.MAX_VALUE) : 50;
    List<JsonNode> entries = catalog.audit().entries();
    String row = "%-19s  %-7s  %-8s  %-16s  %-16s  %-13s  %-6s  %-10s  %s%n";
    out.printf(row, "when (UTC)", "action", "decision", "acting domain", "for domain", "product", "grant",
        "user", "why / job");
    for (JsonNode e : entries.subList((int) Math.max(0, entries.size() - limit), entries.size())) {
      String domain = e.path("domain").asText("-");
      out.printf(row, e.path("at").asText().replace('T', ' ').replaceAll("\\.\\d+Z$|Z$", ""),
          e.path("action").asText(), e.path("decision").asText("-"), e.path("by").asText(domain), domain,
          e.path("product").asText("-"), e.path("grant").asText(e.path("basis").asText("-")),
          e.path("user").asText("-"), e.has("why") ? e.get("why").asText() : e.path("job").asText(""));
    }
    out.println("(" + Math.min(limit, entries.size()) + " of " + entries.size() + " entries) from "
        + catalog.audit().file());
  }

  private static void record(MeshCatalog catalog, String action, Grant g, String by, String why) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("grant", g.id());
    details.put("domain", g.domain());
    details.put("product", g.product());
    details.put("pii", g.pii());
    details.put("by", by);
    details.put("decision", state(g));
    details.put("why", why);
    catalog.audit().record(action, details);
  }

  private static String state(Grant g) {
    return g.state().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String required(Map<String, String> options, String name, String command) {
    String v = options.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("access " + command + " needs " + name + "=... (./meshflow access --help)");
    }
    return v;
  }

  private static boolean flag(Map<String, String> options, String name) {
    String v = options.get(name);
    if (v == null) {
      return false;
    }
    if (v.isEmpty() || v.equals("true")) {
      return true;
    }
    if (v.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException("access: " + name + "=" + v + " is true or false");
  }

  private static void none(String command, List<String> operands) {
    if (!operands.isEmpty()) {
      throw new IllegalArgumentException("access " + command + ": unexpected '" + operands.get(0)
          + "' (./meshflow access --help)");
    }
  }

  private static String catalogOption(MeshCatalog catalog) {
    return catalog.dir().equals(java.nio.file.Path.of(CatalogCommand.DEFAULT_DIR)) ? ""
        : " --catalog=" + catalog.dir();
  }
}
