package dev.meshflow.io.mesh.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a product's new schema version must relate to its earlier ones, with the meaning the
 * Confluent and AWS Glue registries give these names (Glue spells the transitive modes
 * {@code *_ALL}, which are accepted too).
 *
 * <ul>
 *   <li>BACKWARD: the new schema reads records written with the latest version. Delete fields, or
 *       add them with defaults; upgrade consumers first.
 *   <li>FORWARD: the latest version reads records written with the new schema. Add fields, or
 *       delete those with defaults; upgrade producers first.
 *   <li>FULL: both.
 *   <li>*_TRANSITIVE: against every earlier version, not just the latest.
 *   <li>NONE: no check.
 * </ul>
 */
public enum CompatibilityMode {
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true),
  NONE(false, false, false);

  /** Where a product names none. */
  public static final CompatibilityMode DEFAULT = BACKWARD;

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityMode(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** The new schema must read the records of earlier versions. */
  public boolean backward() {
    return backward;
  }

  /** Earlier versions must read the new schema's records. */
  public boolean forward() {
    return forward;
  }

  /** Checked against every earlier version, not only the latest. */
  public boolean transitive() {
    return transitive;
  }

  /** A mode by name, case-insensitive, Glue's {@code BACKWARD_ALL} etc. included. */
  public static CompatibilityMode parse(String name) {
    String upper = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    if (upper.endsWith("_ALL")) {
      upper = upper.substring(0, upper.length() - "_ALL".length()) + "_TRANSITIVE";
    }
    try {
      return valueOf(upper);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("compatibility mode '" + name + "' is not one of "
          + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
  }
}
