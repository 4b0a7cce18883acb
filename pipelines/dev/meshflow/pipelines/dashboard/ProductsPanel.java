package dev.meshflow.pipelines.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.governance.Grant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The data products: each product's owner, status, schema version and freshness promise from the
 * catalog, with the freshness measured on its stream (ProductFreshness); the consumers that hold or
 * asked for a grant; when a run last read it (from the lineage events); and the lineage graph.
 */
final class ProductsPanel {
  private ProductsPanel() {}

  static ObjectNode read(Path catalogDir, LineageLog lineage, ProductFreshness freshness) throws IOException {
    ObjectNode panel = PanelSql.JSON.createObjectNode();
    panel.set("graph", lineage.graph());
    if (!Files.isDirectory(catalogDir.resolve("products"))) {
      panel.put("missing", "no catalog at " + catalogDir + " yet: ./meshflow catalog init creates one");
      return panel;
    }
    MeshCatalog catalog = MeshCatalog.open(catalogDir);
    Map<String, String> lastRead = new HashMap<>();
    for (JsonNode e : lineage.events()) {
      for (JsonNode in : e.path("inputs")) {
        String product = in.path("facets").path("meshflow_product").path("product").asText(null);
        if (product != null) {
          lastRead.put(product, e.path("eventTime").asText() + " by " + e.path("job").path("name").asText());
        }
      }
    }
    List<Grant> grants = catalog.grants().all();
    ArrayNode products = panel.putArray("products");
    for (DataContract p : catalog.products()) {
      ObjectNode row = products.addObject().put("product", p.name()).put("owner", p.domain()).put("team", p.team())
          .put("status", p.status()).put("version", p.version())
          .put("freshnessSla", p.freshness() == null ? null : p.freshness().toString().substring(2).toLowerCase())
          .put("lastRead", lastRead.get(p.name()));
      row.set("freshness", freshness.of(p));
      ArrayNode consumers = row.putArray("consumers");
      grants.stream().filter(g -> g.product().equals(p.name())).forEach(g -> consumers.addObject()
          .put("domain", g.domain()).put("state", g.state().name()).put("pii", g.pii()).put("grant", g.id()));
    }
    return panel;
  }
}
