package dev.meshflow.core;

import org.apache.beam.sdk.values.Row;

/**
 * Windowed results arrive as a sequence of panes, and a sink's writers may see them out of order.
 * A row that carries {@link #PANE_INDEX} and {@link #IS_FINAL} is versioned: a sink replaces it
 * only with a final pane or a later one, so a result never regresses to an earlier firing. A batch
 * result is its window's only and final pane, so a backfill always replaces.
 */
public final class PaneVersion {
  public static final String PANE_INDEX = "pane_index";
  public static final String IS_FINAL = "is_final";

  private PaneVersion() {}

  public static boolean isVersioned(org.apache.beam.sdk.schemas.Schema schema) {
    return schema.hasField(PANE_INDEX) && schema.hasField(IS_FINAL);
  }

  /** Whether {@code candidate} may replace {@code current} (same key, versioned rows). */
  public static boolean supersedes(Row candidate, Row current) {
    if (Boolean.TRUE.equals(candidate.getBoolean(IS_FINAL))) {
      return true;
    }
    return !Boolean.TRUE.equals(current.getBoolean(IS_FINAL))
        && candidate.getInt64(PANE_INDEX) >= current.getInt64(PANE_INDEX);
  }
}
