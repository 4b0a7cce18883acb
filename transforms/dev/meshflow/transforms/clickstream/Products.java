package dev.meshflow.transforms.clickstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * The product and price catalog the events are enriched from: JSON lines
 * {@code {"product_id","category","price"}}. A product missing from it leaves the event as it is.
 */
public final class Products implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One catalog entry. */
  public static final class Product implements Serializable {
    public final String category;
    public final long priceCents;

    Product(String category, long priceCents) {
      this.category = category;
      this.priceCents = priceCents;
    }
  }

  private final Map<String, Product> byId;

  private Products(Map<String, Product> byId) {
    this.byId = byId;
  }

  /** @throws IllegalArgumentException naming the line that is not a catalog entry */
  public static Products parse(String jsonLines) {
    Map<String, Product> byId = new HashMap<>();
    int n = 0;
    for (String line : jsonLines.split("\n")) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode e = JSON.readTree(line);
        JsonNode id = e.get("product_id");
        JsonNode category = e.get("category");
        JsonNode price = e.get("price");
        if (id == null || !id.isTextual() || category == null || !category.isTextual()
            || price == null || !price.isNumber() || price.asDouble() < 0) {
          throw new IllegalArgumentException("products line " + n + " needs a string product_id, a"
              + " string category and a non-negative number price: " + line);
        }
        byId.put(id.asText(), new Product(category.asText(), Math.round(price.asDouble() * 100)));
      } catch (IOException e) {
        throw new IllegalArgumentException("products line " + n + " is not JSON: " + line);
      }
    }
    return new Products(byId);
  }

  public ClickEvent enrich(ClickEvent e) {
    Product p = e.productId == null ? null : byId.get(e.productId);
    return p == null ? e : e.enriched(p.category, p.priceCents);
  }
}
