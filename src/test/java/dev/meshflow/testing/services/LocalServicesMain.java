package dev.meshflow.testing.services;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the same Kafka broker, PostgreSQL server or standalone Flink or Spark cluster the tests use, in the
 * foreground, for manual runs: {@code kafka|postgres|flink|spark <port> <dir>}. runners-config/local/services.sh
 * starts and stops it. Prints one "ready:" line, then serves until killed.
 */
public final class LocalServicesMain {
  private LocalServicesMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: LocalServicesMain kafka|postgres|flink|spark <port> <dir>");
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
      case "flink":
        // Stopped by its own shutdown hook when this process is.
        FlinkCluster flink = FlinkCluster.start(dir, port, 2, List.of());
        System.out.println("ready: --flinkMaster=" + flink.master() + " (web UI " + flink.restUrl()
            + "/; a JobManager and 2 TaskManagers of 2 slots, each its own process; logs in " + dir.resolve("log")
            + ")");
        break;
      case "spark":
        // Stopped by its own shutdown hook when this process is.
        SparkCluster spark = SparkCluster.start(dir, port, 2, List.of());
        System.out.println("ready: --master " + spark.master() + " (web UI " + spark.webUrl()
            + "/; a master and a worker with 2 cores, each its own process; SPARK_HOME=" + spark.home() + ")");
        break;
      default:
        System.err.println("unknown service " + args[0] + "; use kafka, postgres, flink or spark");
        System.exit(2);
    }
    System.out.flush();
    new CountDownLatch(1).await(); // serve until killed; shutdown hooks stop the service
  }
}
