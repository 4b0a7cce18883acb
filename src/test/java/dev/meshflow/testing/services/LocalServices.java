package dev.meshflow.testing.services;

import dev.meshflow.testing.JavaCommand;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * Fetches what the local services that run as processes of their own need, through Maven, once,
 * the same way the scripts do: each names its release in {@code runners-config/local/<name>/pom.xml}.
 */
final class LocalServices {
  private LocalServices() {}

  /** The Kafka broker's classpath (Scala 2.13, so not the project's). */
  static String kafkaClasspath() throws Exception {
    return classpath("kafka-broker");
  }

  /** A standalone Flink cluster's classpath, assembled from Flink's published jars. */
  static String flinkClasspath() throws Exception {
    return classpath("flink-cluster");
  }

  /** A standalone Spark cluster's classpath (Scala 2.12, Spark's own managed versions). */
  static String sparkClasspath() throws Exception {
    return classpath("spark-cluster");
  }

  private static synchronized String classpath(String name) throws Exception {
    Path pom = Path.of("runners-config/local", name, "pom.xml");
    Path resolved = Path.of("target/local-services", name + ".classpath");
    if (!Files.exists(resolved) || Files.getLastModifiedTime(pom).compareTo(Files.getLastModifiedTime(resolved)) > 0) {
      Path log = Files.createTempFile(name + "-classpath", ".log");
      // Written aside and moved into place: both test JVMs may resolve it at once.
      Files.createDirectories(resolved.toAbsolutePath().getParent());
      Path written = Files.createTempFile(resolved.toAbsolutePath().getParent(), name, ".tmp");
      ProcessBuilder build = new ProcessBuilder("mvn", "-q", "-B", "-f", pom.toString(),
          "dependency:build-classpath", "-Dmdep.outputFile=" + written.toAbsolutePath())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      build.environment().put("MAVEN_OPTS", JavaCommand.quickStartOpts());
      Process mvn = build.start();
      if (!mvn.waitFor(10, TimeUnit.MINUTES) || mvn.exitValue() != 0) {
        throw new IllegalStateException("could not resolve " + pom + ": " + Files.readString(log));
      }
      Files.move(written, resolved, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    String cp = Files.readString(resolved).trim();
    if (cp.isEmpty() || !new File(cp.split(File.pathSeparator)[0]).exists()) {
      Files.delete(resolved);
      return classpath(name);
    }
    return cp;
  }
}
