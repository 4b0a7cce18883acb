package dev.meshflow.testing.services;

import dev.meshflow.testing.Await;
import dev.meshflow.testing.JavaCommand;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The outbox relay (runners-config/local/cdc-relay: Debezium's embedded engine) as its own process,
 * on its own classpath: Debezium is built on kafka-clients 4.3 and Beam's KafkaIO on 3.9.
 */
public final class CdcRelay implements AutoCloseable {
  private static final Path POM = Path.of("runners-config/local/cdc-relay/pom.xml");
  private static final Path CLASSPATH = Path.of("target/local-services/cdc-relay.classpath");
  private static String classpath;

  private final List<String> command;
  private final Path log;
  private Process process;

  private CdcRelay(List<String> command, Path log) {
    this.command = command;
    this.log = log;
  }

  /**
   * Starts a relay from the domain database {@code postgresUri} to {@code bootstrap}, keeping its
   * offsets in {@code state}, and returns once it streams changes. Its topics are the products'
   * names after {@code topicPrefix}, so that tests sharing a broker do not meet.
   */
  public static CdcRelay start(String postgresUri, String bootstrap, Path state, String topicPrefix)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
    command.addAll(JavaCommand.QUICK_START);
    command.addAll(List.of("-cp", classpath(), "dev.meshflow.relay.OutboxRelay",
        "--postgres=" + postgresUri, "--bootstrap=" + bootstrap, "--state=" + state,
        "--topicPrefix=" + topicPrefix));
    Files.createDirectories(state);
    CdcRelay relay = new CdcRelay(command, state.resolve("relay.log"));
    relay.start();
    return relay;
  }

  /** Starts the process (again, after {@link #kill}), on the same state. */
  public void start() throws Exception {
    long logged = Files.exists(log) ? Files.size(log) : 0;
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Await.until("the relay to stream changes (log " + log + ")", Duration.ofSeconds(120), () -> {
      if (!process.isAlive()) {
        throw new AssertionError("the relay exited with " + process.exitValue() + ": " + tail());
      }
      String text = Files.readString(log);
      return text.substring((int) Math.min(logged, text.length())).contains("\nready: ")
          || text.substring((int) Math.min(logged, text.length())).startsWith("ready: ");
    }, ready -> ready);
  }

  /** {@code kill -9}: no shutdown hook runs, nothing is flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /**
   * Compiles the relay and resolves its classpath, once per build: under a file lock, since both
   * test JVMs may ask at once.
   */
  static synchronized String classpath() throws Exception {
    if (classpath != null) {
      return classpath;
    }
    Files.createDirectories(CLASSPATH.toAbsolutePath().getParent());
    try (FileChannel channel = FileChannel.open(Path.of("target/local-services/cdc-relay.lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
      Path classes = POM.getParent().resolve("target/classes/dev/meshflow/relay/OutboxRelay.class");
      Path source = POM.getParent().resolve("src/main/java/dev/meshflow/relay/OutboxRelay.java");
      boolean fresh = Files.exists(CLASSPATH) && Files.exists(classes)
          && Files.getLastModifiedTime(classes).compareTo(Files.getLastModifiedTime(source)) >= 0
          && Files.getLastModifiedTime(CLASSPATH).compareTo(Files.getLastModifiedTime(POM)) >= 0;
      if (!fresh) {
        Path buildLog = Files.createTempFile("cdc-relay-build", ".log");
        ProcessBuilder build = new ProcessBuilder("mvn", "-q", "-B", "-f", POM.toString(), "compile",
            "dependency:build-classpath", "-Dmdep.outputFile=" + CLASSPATH.toAbsolutePath())
            .redirectErrorStream(true).redirectOutput(buildLog.toFile());
        build.environment().put("MAVEN_OPTS", JavaCommand.quickStartOpts());
        Process mvn = build.start();
        if (!mvn.waitFor(10, TimeUnit.MINUTES) || mvn.exitValue() != 0) {
          throw new IllegalStateException("could not build the relay: " + Files.readString(buildLog));
        }
      }
      classpath = POM.getParent().resolve("target/classes").toAbsolutePath() + java.io.File.pathSeparator
          + Files.readString(CLASSPATH).trim();
      return classpath;
    }
  }
}
