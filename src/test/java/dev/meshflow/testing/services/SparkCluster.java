package dev.meshflow.testing.services;

import dev.meshflow.testing.JavaCommand;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshflow.testing.Await;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A standalone Spark 3.5 cluster on this machine, from Spark's published jars: a master and a
 * worker, each a process of their own, as Spark's {@code start-master.sh} and
 * {@code start-worker.sh} start them. The worker starts each application's executors as processes
 * of their own too. There is no Spark distribution on Maven Central, so the jars that
 * {@code runners-config/local/spark-cluster/pom.xml} names are laid out as a Spark home's
 * {@code jars/} folder: where a worker finds the classpath of the executors it starts, and where
 * {@code spark-submit} ({@link #submitCommand}) finds its own. Everything binds to loopback.
 */
public final class SparkCluster implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final int masterPort;
  private final int webUiPort;
  private final List<String> jvmArgs;
  private Process master;
  private Process worker;

  private SparkCluster(Path dir, int masterPort, int webUiPort, List<String> jvmArgs) {
    this.dir = dir;
    this.masterPort = masterPort;
    this.webUiPort = webUiPort;
    this.jvmArgs = jvmArgs;
  }

  /**
   * Starts a master on {@code masterPort} (0: a free port; its web UI on a free port too) and one
   * worker offering {@code cores} cores; the Spark home, logs and executors' work folders live in
   * {@code dir}. {@code jvmArgs} go to the master and the worker.
   */
  public static SparkCluster start(Path dir, int masterPort, int cores, List<String> jvmArgs) throws Exception {
    Path jars = dir.resolve("home/jars");
    Files.createDirectories(jars);
    Files.createDirectories(dir.resolve("log"));
    Files.createDirectories(dir.resolve("work"));
    for (String jar : LocalServices.sparkClasspath().split(File.pathSeparator)) {
      Path link = jars.resolve(Path.of(jar).getFileName());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, Path.of(jar));
      }
    }
    SparkCluster cluster = new SparkCluster(dir, masterPort == 0 ? ServiceProcesses.freePort() : masterPort,
        masterPort == 0 ? ServiceProcesses.freePort() : masterPort + 1003, List.copyOf(jvmArgs));
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "stop-spark-cluster"));
    try {
      cluster.master = cluster.launch("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", String.valueOf(cluster.masterPort), "--webui-port", String.valueOf(cluster.webUiPort));
      cluster.awaitState("the Spark master at " + cluster.webUrl(), state -> true);
      cluster.worker = cluster.launch("worker", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
          "--cores", String.valueOf(cores), "--memory", "3g", "--work-dir", dir.resolve("work").toString(),
          "--webui-port", "0", cluster.master());
      cluster.awaitState("a worker registered at " + cluster.master(),
          state -> state.get("aliveworkers").asInt() == 1);
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The master's URL, for {@code --master} and {@code --sparkMaster}. */
  public String master() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The master's web UI. */
  public String webUrl() {
    return "http://127.0.0.1:" + webUiPort;
  }

  /** The Spark home whose {@code jars/} the worker and spark-submit run from. */
  public Path home() {
    return dir.resolve("home");
  }

  /** The environment spark-submit and the cluster's processes run in. */
  public Map<String, String> environment() {
    return Map.of("SPARK_HOME", home().toString(), "SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1");
  }

  /**
   * {@code spark-submit --master <master> --class <mainClass> <conf...> <jar> <args...>}, as a
   * command on Spark's own classpath: SparkSubmit's main class, as the script runs it.
   */
  public List<String> submitCommand(List<String> javaFlags, String mainClass, List<String> conf, String jar,
      List<String> args) {
    List<String> command = new ArrayList<>(List.of(ServiceProcesses.java()));
    command.addAll(javaFlags);
    command.addAll(List.of("-cp", home().resolve("jars") + File.separator + "*",
        "org.apache.spark.deploy.SparkSubmit", "--master", master(), "--class", mainClass));
    for (String c : conf) {
      command.addAll(List.of("--conf", c));
    }
    command.add(jar);
    command.addAll(args);
    return command;
  }

  /** An application the master ran: its name, final state, and how many executor processes it had. */
  public record App(String id, String name, String state, int executors) {}

  /** The applications the master has finished, oldest first. */
  public List<App> completedApps() throws Exception {
    List<App> apps = new ArrayList<>();
    for (JsonNode app : state().get("completedapps")) {
      String id = app.get("id").asText();
      File[] executors = dir.resolve("work").resolve(id).toFile().listFiles(File::isDirectory);
      apps.add(new App(id, app.get("name").asText(), app.get("state").asText(),
          executors == null ? 0 : executors.length));
    }
    apps.sort(java.util.Comparator.comparing(App::id));
    return apps;
  }

  /** The last lines of a process's output ({@code master}, {@code worker}). */
  public String logTail(String process) {
    return ServiceProcesses.tail(dir.resolve("log").resolve(process + ".out"));
  }

  @Override
  public void close() {
    ServiceProcesses.stop(worker);
    ServiceProcesses.stop(master);
  }

  private JsonNode state() throws Exception {
    HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(URI.create(webUrl() + "/json/"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (reply.statusCode() != 200) {
      throw new IOException("the master's /json/ answered " + reply.statusCode());
    }
    return JSON.readTree(reply.body());
  }

  private void awaitState(String what, java.util.function.Predicate<JsonNode> ready) throws Exception {
    Await.until(what, Duration.ofMinutes(2), () -> {
      if (!master.isAlive()) {
        throw new IllegalStateException("the Spark master exited: " + logTail("master"));
      }
      if (worker != null && !worker.isAlive()) {
        throw new IllegalStateException("the Spark worker exited: " + logTail("worker"));
      }
      try {
        return ready.test(state());
      } catch (IOException | InterruptedException notYet) {
        return false;
      }
    }, ok -> ok);
  }

  private Process launch(String name, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ServiceProcesses.java(), "-Xmx512m"));
    command.addAll(jvmArgs);
    command.addAll(JavaCommand.launcherFlags("jvm-flags"));
    command.addAll(List.of("-cp", home().resolve("jars") + File.separator + "*", mainClass));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log").resolve(name + ".out").toFile()));
    builder.environment().putAll(environment());
    return builder.start();
  }



}
