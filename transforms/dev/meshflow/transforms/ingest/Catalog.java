package dev.meshflow.transforms.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Latest;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The item catalog (item_id to title, artist, genre) as a side input. Lines are JSON objects or
 * CSV {@code item_id,title,artist,genre} (a header line is skipped). Unusable lines are skipped and
 * counted in {@link Parsed#skipped}, since reference data has no dead-letter table of its own.
 */
public final class Catalog {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private Catalog() {}

  /** A parsed catalog: item_id to [title, artist, genre]. */
  public static final class Parsed {
    public final Map<String, List<String>> items;
    public final int skipped;

    Parsed(Map<String, List<String>> items, int skipped) {
      this.items = items;
      this.skipped = skipped;
    }
  }

  /**
   * The latest snapshot of the catalog as a map view. {@code snapshots} holds whole-file line lists:
   * one in batch, one per refresh in streaming (in a triggered global window).
   */
  public static PCollectionView<Map<String, List<String>>> asView(PCollection<List<String>> snapshots) {
    return snapshots
        .apply("ParseCatalog", MapElements
            .into(TypeDescriptors.maps(TypeDescriptors.strings(), TypeDescriptors.lists(TypeDescriptors.strings())))
            .via((List<String> lines) -> parse(lines).items))
        .setCoder(MapCoder.of(StringUtf8Coder.of(), ListCoder.of(NullableCoder.of(StringUtf8Coder.of()))))
        .apply("LatestCatalog", Latest.globally())
        .apply("CatalogView", View.asSingleton());
  }

  public static Parsed parse(List<String> lines) {
    Map<String, List<String>> items = new HashMap<>();
    int skipped = 0;
    for (String line : lines) {
      String t = line.trim();
      if (t.isEmpty() || t.toLowerCase(java.util.Locale.ROOT).startsWith("item_id,")) {
        continue;
      }
      List<String> fields = t.startsWith("{") ? json(t) : csv(t);
      if (fields == null || fields.get(0) == null || fields.get(0).isEmpty()) {
        skipped++;
        continue;
      }
      items.put(fields.get(0), Arrays.asList(fields.get(1), fields.get(2), fields.get(3)));
    }
    return new Parsed(items, skipped);
  }

  private static List<String> json(String line) {
    String[] f = new String[4];
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        int i = List.of("item_id", "title", "artist", "genre").indexOf(name);
        if (i >= 0 && v == JsonToken.VALUE_STRING) {
          f[i] = p.getText();
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      return null;
    }
    return Arrays.asList(f);
  }

  /** CSV with optional double quotes ("" escapes a quote). */
  private static List<String> csv(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    if (quoted || out.size() != 4) {
      return null;
    }
    return out;
  }
}
