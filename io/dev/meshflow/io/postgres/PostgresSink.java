package dev.meshflow.io.postgres;

import dev.meshflow.io.DatasetName;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.sql.BufferedUpsertFn;
import dev.meshflow.io.sql.RowSql;
import dev.meshflow.io.sql.SqlTableSink;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code postgresql://host:port/db?user=U&password=P} or {@code jdbc:postgresql://...}: a real
 * PostgreSQL warehouse, shared by every worker of a cluster. Writes are batched upserts
 * ({@code ON CONFLICT ... DO UPDATE}) sent with {@code reWriteBatchedInserts}, so a replay leaves
 * the same rows. The password may also come from the {@code PGPASSWORD} environment variable; it
 * is never printed.
 */
public final class PostgresSink extends SqlTableSink {
  public static final String SCHEME = "postgresql";
  public static final Set<String> PARAMS = Set.of("user", "password", "schema", "batchRows", "copyRows");

  private final PostgresConnections.Target target;
  private final int batchRows;
  private final int copyRows;

  private PostgresSink(PostgresConnections.Target target, int batchRows, int copyRows) {
    this.target = target;
    this.batchRows = batchRows;
    this.copyRows = copyRows;
  }

  public static PostgresSink from(EndpointUri uri) {
    uri.requireOnly(PARAMS);
    String body = uri.body();
    if (uri.scheme().equals("jdbc")) {
      if (!body.startsWith("postgresql:")) {
        throw new IllegalArgumentException(uri + ": only jdbc:postgresql: URLs are supported");
      }
      body = body.substring("postgresql:".length());
    }
    if (!body.startsWith("//") || body.length() <= 2 || !body.substring(2).contains("/")) {
      throw new IllegalArgumentException(
          uri + ": expected postgresql://host:port/database?user=U (password from PGPASSWORD)");
    }
    Map<String, String> p = uri.params();
    String password = p.getOrDefault("password", System.getenv("PGPASSWORD"));
    int batch = (int) uri.longParam("batchRows", 5000, 1, 1_000_000);
    int copy = (int) uri.longParam("copyRows", PostgresUpsertFn.COPY_MIN_ROWS, 1, 1_000_000);
    return new PostgresSink(new PostgresConnections.Target(
        "jdbc:postgresql:" + body, p.getOrDefault("user", System.getProperty("user.name")),
        password, p.getOrDefault("schema", "public")), batch, copy);
  }

  public PostgresConnections.Target target() {
    return target;
  }

  @Override
  protected RowSql.Dialect dialect() {
    return RowSql.Dialect.POSTGRES;
  }

  @Override
  protected int batchRows() {
    return batchRows;
  }

  @Override
  protected BufferedUpsertFn writer(String table, List<String> keys, boolean insertOnly) {
    return new PostgresUpsertFn(target, table, keys, insertOnly, batchRows, copyRows);
  }

  @Override
  protected void withDdlConnection(ConnectionWork work) throws SQLException {
    try (Connection c = target.open()) {
      work.run(c);
    }
  }

  @Override
  public dev.meshflow.io.BulkLoader bulkLoader() {
    return new PostgresBulkLoader(target);
  }

  @Override
  public DatasetName dataset(String table) {
    return target.dataset(table);
  }

  @Override
  public String describe() {
    return "PostgreSQL " + target.display();
  }

  @Override
  public Connection openReadOnly() throws SQLException {
    return target.openReadOnly(); // a stray DELETE fails
  }

  /** meshflow's own query command, so that looking needs no psql; the password stays out. */
  @Override
  public String dbArgument() {
    return "--db='" + target.uriWithoutPassword() + "'";
  }
}
