package dev.meshflow.testing.services;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * A PostgreSQL 16 server of a test's own, which the test can stop and start again on the same port
 * and data, as an operator restarts a database under running jobs. The shared {@link Postgres}
 * server is never stopped.
 */
public final class RestartablePostgres implements AutoCloseable {
  private final Path dataDirectory;
  private final int port;
  private EmbeddedPostgres server;

  private RestartablePostgres(Path dataDirectory, int port) {
    this.dataDirectory = dataDirectory;
    this.port = port;
  }

  public static RestartablePostgres start(Path dataDirectory) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RestartablePostgres pg = new RestartablePostgres(dataDirectory, port);
    pg.start();
    return pg;
  }

  /** Starts the server on the same port and data directory. */
  public synchronized void start() throws IOException {
    server = EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false).start();
  }

  /**
   * Stops the server as {@code pg_ctl stop -m fast} does (open transactions are rolled back) and
   * returns once its port refuses connections.
   */
  public synchronized void stop() throws Exception {
    if (server != null) {
      server.close();
      server = null;
      dev.meshflow.testing.Await.until("PostgreSQL's port to close", java.time.Duration.ofSeconds(30),
          this::accepting, open -> !open);
    }
  }

  private boolean accepting() {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  public void createDatabase(String name) throws Exception {
    try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
  }

  public String sinkUri(String database) {
    return "postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  public Connection connect(String database) throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database,
        "postgres", "");
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
