package dev.meshflow.io.postgres;

import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.sql.CatalogRace;
import dev.meshflow.io.sql.RowSql;
import dev.meshflow.io.sql.WritableTable;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.schemas.Schema;

/** Where a PostgreSQL sink writes, and how its connections are opened. */
public final class PostgresConnections {
  private static final Set<String> CREATED = ConcurrentHashMap.newKeySet();

  private PostgresConnections() {}

  /** A database and the credentials to reach it. The password is never part of toString. */
  public static final class Target implements Serializable {
    private final String url;
    private final String user;
    private final String password;
    private final String schema;

    public Target(String url, String user, String password, String schema) {
      this.url = url;
      this.user = user;
      this.password = password;
      this.schema = RowSql.identifier(schema);
    }

    public Connection open() throws SQLException {
      Properties p = new Properties();
      p.setProperty("user", user);
      if (password != null) {
        p.setProperty("password", password);
      }
      // The driver rewrites a batch of single-row inserts into multi-row ones: 2-3x faster.
      p.setProperty("reWriteBatchedInserts", "true");
      p.setProperty("ApplicationName", "meshflow");
      Connection c = DriverManager.getConnection(url, p);
      if (!schema.equals("public")) {
        RowSql.execute(c, "CREATE SCHEMA IF NOT EXISTS " + schema);
        RowSql.execute(c, "SET search_path TO " + schema);
      }
      return c;
    }

    public String display() {
      return EndpointUri.redact(url.replace("jdbc:", "")) + " as " + user
          + (schema.equals("public") ? "" : ", schema " + schema);
    }

    /** A URL psql accepts; the password stays out (psql reads PGPASSWORD or ~/.pgpass). */
    public String psqlUrl() {
      String base = url.substring("jdbc:".length());
      int q = base.indexOf('?');
      return (q < 0 ? base : base.substring(0, q)).replace("postgresql://", "postgresql://" + user + "@");
    }

    @Override
    public String toString() {
      return display();
    }
  }

  /**
   * Creates the table once per JVM. Two workers racing on CREATE TABLE IF NOT EXISTS can still
   * collide in PostgreSQL's catalog; the loser finds the table there and carries on.
   */
  static void ensureTable(Target target, Connection c, String table, Schema schema, List<String> keys)
      throws SQLException {
    String id = target.url + "|" + target.schema + "|" + table;
    if (CREATED.contains(id)) {
      return;
    }
    synchronized (CREATED) {
      if (CREATED.contains(id)) {
        return;
      }
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(true);
      try {
        RowSql.execute(c, RowSql.createTableSql(RowSql.Dialect.POSTGRES, table, schema, keys));
      } catch (SQLException e) {
        if (!CatalogRace.lost(e)) {
          throw e;
        }
      } finally {
        c.setAutoCommit(auto);
      }
      WritableTable.require(c, table, schema, keys);
      CREATED.add(id);
    }
  }

  /** Forgets which tables exist, for tests that drop them. */
  public static void forgetTables() {
    CREATED.clear();
  }
}
