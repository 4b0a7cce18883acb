package dev.meshflow.testing.services;

import dev.meshflow.testing.JavaCommand;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/** Fetches what the local services need through Maven, once, the same way the scripts do. */
final class LocalServices {
  private static final Path KAFKA_POM = Path.of("runners-config/local/kafka-broker/pom.xml");
  private static final Path KAFKA_CLASSPATH = Path.of("target/local-services/kafka-broker.classpath");

  private LocalServices() {}

  static synchronized String kafkaClasspath() throws Exception {
    if (!Files.exists(KAFKA_CLASSPATH)) {
      Path log = Files.createTempFile("kafka-classpath", ".log");
      // Written aside and moved into place: both test JVMs may resolve it at once.
      Files.createDirectories(KAFKA_CLASSPATH.toAbsolutePath().getParent());
      Path written = Files.createTempFile(KAFKA_CLASSPATH.toAbsolutePath().getParent(), "kafka-broker", ".tmp");
      ProcessBuilder build = new ProcessBuilder("mvn", "-q", "-B", "-f", KAFKA_POM.toString(),
          "dependency:build-classpath", "-Dmdep.outputFile=" + written.toAbsolutePath())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      build.environment().put("MAVEN_OPTS", JavaCommand.quickStartOpts());
      Process mvn = build.start();
      if (!mvn.waitFor(10, TimeUnit.MINUTES) || mvn.exitValue() != 0) {
        throw new IllegalStateException("could not resolve the Kafka broker: " + Files.readString(log));
      }
      Files.move(written, KAFKA_CLASSPATH, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    String cp = Files.readString(KAFKA_CLASSPATH).trim();
    if (cp.isEmpty() || !new File(cp.split(File.pathSeparator)[0]).exists()) {
      Files.delete(KAFKA_CLASSPATH);
      return kafkaClasspath();
    }
    return cp;
  }
}
