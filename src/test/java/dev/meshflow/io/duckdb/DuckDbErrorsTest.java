package dev.meshflow.io.duckdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which DuckDB errors blame a row. Each error here is raised by a real DuckDB statement. Only a
 * value the column cannot hold or a broken constraint is the row's fault; an error in the statement
 * or the database (which the driver wraps in an "Invalid Input Error") must fail the write, not
 * turn every row of the batch into a dead letter.
 */
public class DuckDbErrorsTest {
  @TempDir Path tmp;
  private String db;

  @BeforeEach
  public void createTable() throws Exception {
    db = tmp + "/e.duckdb";
    execute("CREATE TABLE t (k VARCHAR PRIMARY KEY, v INTEGER NOT NULL)");
    execute("CREATE TABLE keyless (k VARCHAR, v INTEGER)");
  }

  @AfterEach
  public void close() {
    DuckDbDatabases.close(db);
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = DuckDbDatabases.connect(db); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private SQLException errorOf(String sql) {
    try {
      execute(sql);
    } catch (SQLException e) {
      return e;
    }
    fail("DuckDB accepted " + sql);
    return null;
  }

  @Test
  public void aValueTheColumnCannotHoldIsTheRowsFault() {
    SQLException e = errorOf("INSERT INTO t VALUES ('a', 3000000000)");
    assertTrue(DuckDbErrors.isDataError(e), e.getMessage());
  }

  @Test
  public void aBrokenConstraintIsTheRowsFault() {
    assertTrue(DuckDbErrors.isDataError(errorOf("INSERT INTO t VALUES ('a', NULL)")));
    assertTrue(DuckDbErrors.isDataError(errorOf("INSERT INTO t VALUES ('a', 1), ('a', 2)")));
  }

  @Test
  public void errorsOfTheStatementOrDatabaseBlameNoRow() {
    SQLException missingTable = errorOf("INSERT INTO nosuch VALUES (1)");
    SQLException noConflictTarget = errorOf("INSERT INTO keyless VALUES ('a', 1) ON CONFLICT (k) DO NOTHING");
    SQLException missingFile = errorOf("INSERT INTO t SELECT * FROM read_csv('" + tmp + "/none.csv')");
    for (SQLException e : new SQLException[] {missingTable, noConflictTarget, missingFile}) {
      // The driver's wrapper would have matched the old test for "Invalid Input Error".
      assertTrue(e.getMessage().startsWith("Invalid Input Error"), e.getMessage());
      assertFalse(DuckDbErrors.isDataError(e), e.getMessage());
    }
    assertTrue(DuckDbErrors.cause(missingTable).startsWith("Catalog Error"), DuckDbErrors.cause(missingTable));
    assertTrue(DuckDbErrors.cause(noConflictTarget).startsWith("Binder Error"));
    assertTrue(DuckDbErrors.cause(missingFile).startsWith("IO Error"));
  }

  @Test
  public void anUnwrappedMessageIsItsOwnCause() {
    SQLException e = errorOf("INSERT INTO t VALUES ('a', NULL)");
    assertEquals(e.getMessage(), DuckDbErrors.cause(e));
  }
}
