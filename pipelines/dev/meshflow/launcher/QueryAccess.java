package dev.meshflow.launcher;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.contract.OutputPort;
import dev.meshflow.io.mesh.governance.AccessRefusedException;
import dev.meshflow.io.mesh.governance.AccessScope;
import dev.meshflow.io.mesh.governance.GrantLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Governance for {@code ./meshflow query}: a statement that names a product's table (a postgres
 * port's {@code schema.table}, a duckdb port's table) runs only for a domain that owns the product
 * or holds a grant. Without a PII grant it may not name a personal field, or select {@code *},
 * from a product that has one; the query command shows what the database returns, so it cannot
 * hash on the way.
 */
final class QueryAccess {
  /** Words of a statement, once literals and comments are gone; "x"."y" and x.y alike. */
  private static final Pattern WORD = Pattern.compile("\"?([A-Za-z_][A-Za-z0-9_]*)\"?(?:\\s*\\.\\s*\"?([A-Za-z_][A-Za-z0-9_]*)\"?)?");
  /** A star that selects columns (SELECT *, t.*, a, *), not count(*) or a product. */
  private static final Pattern SELECT_STAR = Pattern.compile("(?i)(?:\\bselect\\s+(?:distinct\\s+)?|,\\s*|\\.\\s*)\\*");
  private static final Pattern LITERALS_AND_COMMENTS = Pattern.compile("'(?:[^']|'')*'|--[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

  private QueryAccess() {}

  /**
   * Checks {@code sql} against the grants of the catalog in {@code catalogDir}. A default catalog
   * that does not exist declares no products, so there is nothing to check.
   */
  static void check(String sql, String domain, String catalogDir, boolean catalogGiven) {
    Path dir = Path.of(catalogDir);
    if (!catalogGiven && !Files.isDirectory(dir.resolve("products"))) {
      return;
    }
    MeshCatalog catalog = MeshCatalog.open(dir);
    String code = LITERALS_AND_COMMENTS.matcher(sql).replaceAll(" ");
    boolean star = SELECT_STAR.matcher(code).find();
    Set<String> words = new HashSet<>();
    Matcher m = WORD.matcher(code);
    while (m.find()) {
      String first = m.group(1).toLowerCase(Locale.ROOT);
      words.add(first);
      if (m.group(2) != null) {
        words.add(first + "." + m.group(2).toLowerCase(Locale.ROOT));
        words.add(m.group(2).toLowerCase(Locale.ROOT));
      }
    }
    try (AccessScope scope = AccessScope.open(domain, "query")) {
      List<DataContract> named = catalog.products().stream().filter(p -> namesATable(p, words)).toList();
      GrantLog grants = named.isEmpty() ? null : catalog.grants(); // read once, if any table is a product's
      for (DataContract product : named) {
        AccessScope.Use use = AccessScope.authorize(catalog.dir(), grants, catalog.audit(), product);
        if (use.pii()) {
          continue;
        }
        for (ContractField f : product.fields()) {
          if (f.pii() && (star || words.contains(f.name()))) {
            throw new AccessRefusedException("the " + domain + " domain's grant " + use.grantId()
                + " on " + product.name() + " does not cover personal data, and the query "
                + (star ? "selects * from it, which includes " : "names ") + f.name()
                + "; name the columns you need without it, or request a PII grant:"
                + " ./meshflow access request --domain=" + domain + " --product=" + product.name()
                + " --pii --purpose=\"...\"");
          }
        }
      }
    }
  }

  private static boolean namesATable(DataContract product, Set<String> words) {
    for (OutputPort port : product.ports()) {
      String table = port.setting("table");
      if (table == null) {
        continue;
      }
      String schema = port.setting("schema");
      String qualified = schema == null ? table : schema + "." + table;
      if (words.contains(qualified.toLowerCase(Locale.ROOT))
          || port.type().equals("duckdb") && words.contains(table.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }
}
