package dev.meshflow.io.mesh.registry;

/**
 * One reason a candidate schema may not follow a product's earlier versions: which field, what
 * changed, against which version, and which rule of the mode forbids it.
 *
 * @param field the field's path ({@code genre}, {@code address.city}), or {@code (record)} for the
 *     schema as a whole
 * @param change what differs, in words
 * @param version the earlier version it conflicts with
 * @param direction whether the new schema cannot read that version's records (backward) or that
 *     version cannot read the new schema's (forward)
 * @param mode the mode that asked for the check
 */
public record Incompatibility(String field, String change, int version, Direction direction,
    CompatibilityMode mode) {

  /** Which reader fails. */
  public enum Direction {
    /** The new schema, reading records of an earlier version. */
    BACKWARD,
    /** An earlier version, reading records of the new schema. */
    FORWARD
  }

  /** One line: field, change, and the rule that forbids it. */
  public String describe() {
    String who = direction == Direction.BACKWARD
        ? "the new schema could not read version " + version + "'s records"
        : "version " + version + "'s readers could not read the new schema's records";
    return field + ": " + change + "; " + mode + " forbids it (" + who + ")";
  }
}
