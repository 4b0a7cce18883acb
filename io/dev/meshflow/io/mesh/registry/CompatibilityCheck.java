package dev.meshflow.io.mesh.registry;

import dev.meshflow.io.mesh.registry.Incompatibility.Direction;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Whether a candidate schema may follow a product's versions under a {@link CompatibilityMode}.
 * The rules are Apache Avro's own ({@link SchemaCompatibility}: names and aliases, numeric
 * promotion, defaults, enum symbols, unions); this class only picks which pairs to check and says
 * what each failure means for the product.
 */
public final class CompatibilityCheck {
  private CompatibilityCheck() {}

  /**
   * Every incompatibility of {@code candidate} with {@code earlier} (versions 1..n, oldest first)
   * under {@code mode}; empty when it may be registered.
   */
  public static List<Incompatibility> check(CompatibilityMode mode, Schema candidate,
      List<Schema> earlier) {
    List<Incompatibility> found = new ArrayList<>();
    if (earlier.isEmpty() || mode == CompatibilityMode.NONE) {
      return found;
    }
    int from = mode.transitive() ? 0 : earlier.size() - 1;
    for (int i = from; i < earlier.size(); i++) {
      Schema old = earlier.get(i);
      int version = i + 1;
      if (mode.backward()) {
        found.addAll(pair(candidate, old, version, Direction.BACKWARD, mode));
      }
      if (mode.forward()) {
        found.addAll(pair(old, candidate, version, Direction.FORWARD, mode));
      }
    }
    return found;
  }

  private static List<Incompatibility> pair(Schema reader, Schema writer, int version,
      Direction direction, CompatibilityMode mode) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    List<Incompatibility> found = new ArrayList<>();
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return found;
    }
    for (SchemaCompatibility.Incompatibility i : result.getResult().getIncompatibilities()) {
      found.add(new Incompatibility(fieldAt(reader, i.getLocation()), change(i, direction),
          version, direction, mode));
    }
    return found;
  }

  /** What an Avro incompatibility means, told from the product's side. */
  private static String change(SchemaCompatibility.Incompatibility i, Direction direction) {
    switch (i.getType()) {
      case READER_FIELD_MISSING_DEFAULT_VALUE:
        return direction == Direction.BACKWARD
            ? "added without a default, and the older records lack it"
            : "removed, and the older readers require it (it has no default there)";
      case TYPE_MISMATCH:
        return "type " + describe(i.getWriterFragment()) + " cannot be read as "
            + describe(i.getReaderFragment());
      case MISSING_ENUM_SYMBOLS:
        return "enum symbols " + i.getMessage() + (direction == Direction.BACKWARD
            ? " were removed, and the older records may hold them"
            : " were added, and the older readers do not know them (and have no enum default)");
      case MISSING_UNION_BRANCH:
        return "union branch " + i.getMessage() + " has no match in the reader";
      case NAME_MISMATCH:
        return "name " + i.getWriterFragment().getFullName() + " became "
            + i.getReaderFragment().getFullName() + " (keep the old name as an alias)";
      case FIXED_SIZE_MISMATCH:
        return "fixed size " + i.getWriterFragment().getFixedSize() + " became "
            + i.getReaderFragment().getFixedSize();
      default:
        return i.getMessage();
    }
  }

  private static String describe(Schema s) {
    return s.getType() == Schema.Type.RECORD || s.getType() == Schema.Type.ENUM
        || s.getType() == Schema.Type.FIXED ? s.getType().getName() + " " + s.getFullName()
        : s.getType().getName();
  }

  /**
   * The field path that an Avro JSON-pointer location ({@code /fields/2/type/fields/0}) names in
   * the reader schema: {@code address.city}; {@code (record)} for the top level.
   */
  static String fieldAt(Schema reader, String location) {
    List<String> path = new ArrayList<>();
    Schema at = reader;
    String[] steps = location == null ? new String[0] : location.split("/");
    for (int s = 0; s < steps.length && at != null; s++) {
      String step = steps[s];
      if (step.isEmpty()) {
        continue;
      }
      if (step.equals("fields") && s + 1 < steps.length && at.getType() == Schema.Type.RECORD) {
        int index = Integer.parseInt(steps[++s]);
        if (index >= at.getFields().size()) {
          break;
        }
        Schema.Field field = at.getFields().get(index);
        path.add(field.name());
        at = field.schema();
      } else if (step.equals("items") && at.getType() == Schema.Type.ARRAY) {
        at = at.getElementType();
      } else if (step.equals("values") && at.getType() == Schema.Type.MAP) {
        at = at.getValueType();
      } else if (at.getType() == Schema.Type.UNION && step.chars().allMatch(Character::isDigit)) {
        int branch = Integer.parseInt(step);
        at = branch < at.getTypes().size() ? at.getTypes().get(branch) : null;
      }
      // "type", "name", "size", "symbols": the same schema, described by the change itself.
    }
    return path.isEmpty() ? "(record)" : String.join(".", path);
  }
}
