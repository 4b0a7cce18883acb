package dev.meshflow.testing.services;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the same Kafka broker or PostgreSQL server the tests use, in the foreground, for manual
 * runs: {@code kafka <port> <dir>} or {@code postgres <port> <dir>}. runners-config/local/services.sh
 * starts and stops it. Prints one "ready:" line, then serves until killed.
 */
public final class LocalServicesMain {
  private LocalServicesMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: LocalServicesMain kafka|postgres <port> <dir>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    Path dir = Path.of(args[2]).toAbsolutePath();
    Files.createDirectories(dir);
    switch (args[0]) {
      case "kafka":
        KafkaBroker kafka = KafkaBroker.start(dir, port, port + 1);
        System.out.println("ready: kafka://" + kafka.bootstrap() + " (controller on " + (port + 1)
            + "; topics are created on first use with 4 partitions)");
        break;
      case "postgres":
        // Logical WAL: the producer domains' outboxes are captured by the relay (Debezium).
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(port)
            .setServerConfig("wal_level", "logical")
            .setDataDirectory(dir.resolve("data")).setCleanDataDirectory(false).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            pg.close();
          } catch (Exception ignored) {
            // exiting
          }
        }));
        System.out.println("ready: postgresql://127.0.0.1:" + pg.getPort() + "/postgres?user=postgres");
        break;
      default:
        System.err.println("unknown service " + args[0] + "; use kafka or postgres");
        System.exit(2);
    }
    System.out.flush();
    new CountDownLatch(1).await(); // serve until killed; shutdown hooks stop the service
  }
}
