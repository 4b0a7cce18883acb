package dev.meshflow.io.mesh.contract;

import dev.meshflow.io.mesh.catalog.MeshCatalog;

/** Test contracts made from the shipped ones by plain text edits, as a producer team edits them. */
public final class Contracts {
  private Contracts() {}

  public static String shipped(String product) {
    return MeshCatalog.shipped(product);
  }

  /** {@code text} with {@code from} replaced once; fails if {@code from} is absent. */
  public static String edit(String text, String from, String to) {
    int at = text.indexOf(from);
    if (at < 0) {
      throw new IllegalArgumentException("no '" + from + "' in the contract");
    }
    return text.substring(0, at) + to + text.substring(at + from.length());
  }

  /** Songs 1.1.0: adds an optional field, a compatible change under every mode but NONE's peers. */
  public static String songsWithExplicitFlag() {
    return edit(edit(shipped("songs"), "version: 1.0.0", "version: 1.1.0"), "servers:",
        "      - name: explicit\n"
            + "        logicalType: boolean\n"
            + "        required: false\n"
            + "        description: Marked explicit by the label.\n"
            + "servers:");
  }

  /** Songs 2.0.0: a required field without a default, and duration_ms narrowed to int. */
  public static String songsBreaking() {
    String text = edit(shipped("songs"), "version: 1.0.0", "version: 2.0.0");
    text = edit(text, "        physicalType: long\n        required: true\n        description: Length",
        "        physicalType: int\n        required: true\n        description: Length");
    return edit(text, "servers:", "      - name: label\n"
        + "        logicalType: string\n"
        + "        required: true\n"
        + "        description: The record label.\n"
        + "servers:");
  }
}
