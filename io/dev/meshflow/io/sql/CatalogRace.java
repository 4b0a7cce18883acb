package dev.meshflow.io.sql;

import java.sql.SQLException;
import java.util.Set;

/**
 * PostgreSQL lets two sessions running {@code CREATE TABLE IF NOT EXISTS} at once collide in its
 * catalog. Depending on where they meet, the loser sees a unique violation (23505), a duplicate
 * table (42P07) or a duplicate row type (42710, "type ... already exists"). In each case the table
 * now exists, which is all the statement asked for.
 */
public final class CatalogRace {
  private static final Set<String> LOST = Set.of("23505", "42P07", "42710");

  private CatalogRace() {}

  /** Whether {@code e} only says another session created the same object first. */
  public static boolean lost(SQLException e) {
    return LOST.contains(e.getSQLState());
  }
}
