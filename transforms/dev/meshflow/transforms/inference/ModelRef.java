package dev.meshflow.transforms.inference;

import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.schemas.JavaFieldSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaCreate;

/**
 * Which model to use: a unique id (never reused for different contents, so a cache keyed by it
 * can't serve a stale model) and where its bytes live (any Beam file system path, or empty for a
 * handler that builds its model itself).
 */
@DefaultSchema(JavaFieldSchema.class)
public final class ModelRef implements Serializable {
  // Public for the schema Beam infers, which is its coder: deterministic, so a model ref can be a
  // key or a singleton side input. Few per run, so no hand-written coder is worth its lines.
  public final String id;
  public final String location;

  private ModelRef(String id, String location) {
    this.id = Objects.requireNonNull(id, "model id");
    this.location = Objects.requireNonNull(location, "model location");
    if (id.isBlank()) {
      throw new IllegalArgumentException("a model id must not be blank");
    }
  }

  @SchemaCreate
  public static ModelRef of(String id, String location) {
    return new ModelRef(id, location);
  }

  /** Stands for "no model yet" where a side input needs a value; inference with it fails. */
  public static ModelRef none() {
    return new ModelRef("<none>", "");
  }

  public boolean isNone() {
    return id.equals("<none>") && location.isEmpty();
  }

  public String id() {
    return id;
  }

  public String location() {
    return location;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelRef && ((ModelRef) o).id.equals(id) && ((ModelRef) o).location.equals(location);
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + location.hashCode();
  }

  @Override
  public String toString() {
    return id + " (" + location + ")";
  }
}
