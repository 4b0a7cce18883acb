package dev.meshflow.io.duckdb;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Which DuckDB errors blame a row. Each error here is raised by a real DuckDB statement. Only a
 * value the column cannot hold or a broken constraint is the row's fault; an error in the statement
 * or the database (which the driver wraps in an "Invalid Input Error") must fail the write, not
 * turn every row of the batch into a dead letter.
 */
public class DuckDbErrorsTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private String db;

  @Before
  public void createTable() throws Exception {
    db = tmp.getRoot() + "/e.duckdb";
    execute("CREATE TABLE t (k VARCHAR PRIMARY KEY, v INTEGER NOT NULL)");
    execute("CREATE TABLE keyless (k VARCHAR, v INTEGER)");
  }

  @After
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
    assertTrue(e.getMessage(), DuckDbErrors.isDataError(e));
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
    SQLException missingFile = errorOf("INSERT INTO t SELECT * FROM read_csv('" + tmp.getRoot() + "/none.csv')");
    for (SQLException e : new SQLException[] {missingTable, noConflictTarget, missingFile}) {
      // The driver's wrapper would have matched the old test for "Invalid Input Error".
      assertTrue(e.getMessage(), e.getMessage().startsWith("Invalid Input Error"));
      assertFalse(e.getMessage(), DuckDbErrors.isDataError(e));
    }
    assertTrue(DuckDbErrors.cause(missingTable), DuckDbErrors.cause(missingTable).startsWith("Catalog Error"));
    assertTrue(DuckDbErrors.cause(noConflictTarget).startsWith("Binder Error"));
    assertTrue(DuckDbErrors.cause(missingFile).startsWith("IO Error"));
  }

  @Test
  public void anUnwrappedMessageIsItsOwnCause() {
    SQLException e = errorOf("INSERT INTO t VALUES ('a', NULL)");
    assertEquals(e.getMessage(), DuckDbErrors.cause(e));
  }
}
