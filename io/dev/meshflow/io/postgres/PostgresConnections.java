package dev.meshflow.io.postgres;

import dev.meshflow.io.DatasetName;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.sql.CatalogRace;
import dev.meshflow.io.sql.RowSql;
import dev.meshflow.io.sql.WritableTable;
import java.io.Serializable;
import java.sql.Connection;
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

  /** The driver itself, not DriverManager's registry: see {@link #open}. */
  private static final java.sql.Driver DRIVER = new org.postgresql.Driver();

  static {
    releaseFromDriverManager();
  }

  /**
   * Takes the PostgreSQL driver of a job's own class loader out of DriverManager's registry, where
   * the driver puts itself as its class loads. The registry lives as long as the JVM, so on a
   * Flink session cluster it kept every finished job's class loader, with all the job's classes,
   * alive: a TaskManager died of {@code OutOfMemoryError: Metaspace} after five jobs. In the
   * launcher's JVM (the application class loader) the registry is left as it is, for the tools
   * that look a driver up there.
   */
  static void releaseFromDriverManager() {
    if (PostgresConnections.class.getClassLoader() != ClassLoader.getSystemClassLoader()
        && org.postgresql.Driver.isRegistered()) {
      try {
        org.postgresql.Driver.deregister();
      } catch (SQLException e) {
        throw new IllegalStateException("cannot take the PostgreSQL driver out of DriverManager", e);
      }
    }
  }

  /**
   * A connection through the PostgreSQL driver of this class's own class loader. DriverManager
   * hands a caller only drivers its class loader can see, and registers drivers once per JVM: on a
   * Flink session cluster the second job (a class loader of its own, in a TaskManager that ran the
   * first) found no suitable driver.
   */
  public static Connection open(String url, java.util.Properties properties) throws SQLException {
    Connection c = DRIVER.connect(url, properties);
    if (c == null) {
      throw new SQLException("not a PostgreSQL JDBC URL: " + EndpointUri.redact(url));
    }
    return c;
  }

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
      Connection c = connect();
      if (!schema.equals("public")) {
        RowSql.execute(c, "CREATE SCHEMA IF NOT EXISTS " + schema);
        RowSql.execute(c, "SET search_path TO " + schema);
      }
      return c;
    }

    /** A connection whose transactions are READ ONLY, for looking; it creates no schema. */
    public Connection openReadOnly() throws SQLException {
      Connection c = connect();
      // Not setReadOnly: with auto-commit the driver does not pass that on to the server.
      RowSql.execute(c, "SET default_transaction_read_only = on");
      RowSql.execute(c, "SET search_path TO " + schema);
      return c;
    }

    private Connection connect() throws SQLException {
      Properties p = new Properties();
      p.setProperty("user", user);
      if (password != null) {
        p.setProperty("password", password);
      }
      // The driver rewrites a batch of single-row inserts into multi-row ones: 2-3x faster.
      p.setProperty("reWriteBatchedInserts", "true");
      p.setProperty("ApplicationName", "meshflow");
      return PostgresConnections.open(url, p);
    }

    /** Where {@code table} lives, for lineage: postgres://host:port and db.schema.table. */
    public DatasetName dataset(String table) {
      return DatasetName.postgres(url, schema + "." + table);
    }

    public String display() {
      return EndpointUri.redact(url.replace("jdbc:", "")) + " as " + user
          + (schema.equals("public") ? "" : ", schema " + schema);
    }

    /**
     * The sink URI of this database without the password, which then comes from PGPASSWORD as for
     * the run itself.
     */
    public String uriWithoutPassword() {
      String base = EndpointUri.withoutUserInfoPassword(url.substring("jdbc:".length()));
      int q = base.indexOf('?');
      return (q < 0 ? base : base.substring(0, q)) + "?user="
          + java.net.URLEncoder.encode(user, java.nio.charset.StandardCharsets.UTF_8)
          + (schema.equals("public") ? "" : "&schema=" + schema);
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
