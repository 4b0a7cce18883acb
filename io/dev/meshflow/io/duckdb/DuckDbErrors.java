package dev.meshflow.io.duckdb;

import java.sql.SQLException;

/**
 * Reads DuckDB's errors, which its JDBC driver gives without an SQLState: the kind is the message's
 * first words ("Conversion Error: ..."). An error raised while binding or planning a statement (a
 * missing table, a bad conflict target, an unreadable file) reaches Java wrapped in an "Invalid
 * Input Error" about the pending query, with the real error on the next line; only the real one
 * says whether a row's data was at fault.
 */
final class DuckDbErrors {
  private static final String PENDING_QUERY_WRAPPER =
      "Invalid Input Error: Attempting to execute an unsuccessful or closed pending query result";
  private static final String INNER_PREFIX = "\nError: ";

  private DuckDbErrors() {}

  /** The error DuckDB raised, without the driver's wrapper. */
  static String cause(SQLException e) {
    String m = String.valueOf(e.getMessage());
    if (m.startsWith(PENDING_QUERY_WRAPPER)) {
      int inner = m.indexOf(INNER_PREFIX);
      return inner < 0 ? m : m.substring(inner + INNER_PREFIX.length());
    }
    return m;
  }

  /** A value the column cannot hold or a constraint the row breaks: retrying it alone fails again. */
  static boolean isDataError(SQLException e) {
    String cause = cause(e);
    return cause.startsWith("Conversion Error") || cause.startsWith("Constraint Error")
        || cause.startsWith("Invalid Input Error"); // e.g. text that is not valid UTF-8
  }
}
