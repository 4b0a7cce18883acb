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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone Flink 1.19 session cluster on this machine, from Flink's published jars: a
 * JobManager and {@code n} TaskManagers, each a process of its own, as Flink's own
 * {@code start-cluster.sh} starts them. There is no flink-dist on Maven Central, so the classpath
 * comes from {@code runners-config/local/flink-cluster/pom.xml}, and each process's memory flags
 * from Flink's {@code BashJavaUtils}, as the scripts get them. Everything binds to loopback.
 */
public final class FlinkCluster implements AutoCloseable {
  private static final Pattern TASK_MANAGERS = Pattern.compile("\"taskmanagers\":(\\d+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final String classpath;
  private final int restPort;
  private final List<String> jvmArgs;
  private final ProcessFlags taskManagerFlags;
  private final Process jobManager;
  private final Process[] taskManagers;

  private FlinkCluster(Path dir, String classpath, int restPort, List<String> jvmArgs, int taskManagers)
      throws Exception {
    this.dir = dir;
    this.classpath = classpath;
    this.restPort = restPort;
    this.jvmArgs = jvmArgs;
    this.taskManagers = new Process[taskManagers];
    this.jobManager = launch("jobmanager", ProcessFlags.of(this, "GET_JM_RESOURCE_PARAMS"),
        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
    this.taskManagerFlags = ProcessFlags.of(this, "GET_TM_RESOURCE_PARAMS");
  }

  /**
   * Starts a cluster whose REST API and web UI are on {@code restPort} (0: a free port), with
   * {@code taskManagers} TaskManagers of 2 slots each; its configuration, logs, checkpoints and
   * savepoints live in {@code dir}. {@code jvmArgs} go to every process.
   */
  public static FlinkCluster start(Path dir, int restPort, int taskManagers, List<String> jvmArgs) throws Exception {
    Files.createDirectories(dir.resolve("conf"));
    int rest = restPort == 0 ? ServiceProcesses.freePort() : restPort;
    Files.writeString(dir.resolve("conf/config.yaml"), String.join("\n",
        "jobmanager.rpc.address: 127.0.0.1",
        "jobmanager.rpc.port: " + ServiceProcesses.freePort(),
        "jobmanager.bind-host: 127.0.0.1",
        "jobmanager.memory.process.size: 1024m",
        "taskmanager.host: 127.0.0.1",
        "taskmanager.bind-host: 127.0.0.1",
        "taskmanager.memory.process.size: 2048m",
        // Each job loads the bundle in a class loader of its own. Before the PostgreSQL driver
        // stopped pinning them (PostgresConnections.releaseFromDriverManager), a TaskManager that
        // had run five jobs died of OutOfMemoryError: Metaspace at the default 256m. Now the
        // latest job's loader stays (ClusterSubmitTest); the room is kept for the fault tests'
        // job after job, which have not been run at the default since.
        "taskmanager.memory.jvm-metaspace.size: 768m",
        "taskmanager.numberOfTaskSlots: 2",
        "parallelism.default: 2",
        "rest.address: 127.0.0.1",
        "rest.bind-address: 127.0.0.1",
        "rest.port: " + rest,
        // A TaskManager killed with kill -9 is declared lost in seconds, not the default 50.
        // Parallel subtasks on different TaskManagers, so that data really crosses processes.
        "cluster.evenly-spread-out-slots: true",
        "heartbeat.interval: 2000",
        "heartbeat.timeout: 10000",
        "state.checkpoints.dir: " + dir.resolve("checkpoints").toUri(),
        "state.savepoints.dir: " + dir.resolve("savepoints").toUri(),
        "io.tmp.dirs: " + dir.resolve("tmp"),
        "blob.storage.directory: " + dir.resolve("blobs"),
        ""));
    Files.writeString(dir.resolve("conf/log4j.properties"), String.join("\n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.file.ref = File",
        "appender.file.name = File",
        "appender.file.type = File",
        "appender.file.fileName = ${sys:log.file}",
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
        ""));
    Files.createDirectories(dir.resolve("log"));
    FlinkCluster cluster = new FlinkCluster(dir, LocalServices.flinkClasspath(), rest, List.copyOf(jvmArgs),
        taskManagers);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "stop-flink-cluster"));
    try {
      for (int i = 0; i < taskManagers; i++) {
        cluster.startTaskManager(i);
      }
      cluster.awaitTaskManagers(taskManagers);
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** {@code host:port} of the JobManager's REST API, for {@code --flinkMaster} and {@code flink run -m}. */
  public String master() {
    return "127.0.0.1:" + restPort;
  }

  /** The web UI and REST API. */
  public String restUrl() {
    return "http://" + master();
  }

  /** The folder holding {@code config.yaml}, for Flink's command-line front end ({@code FLINK_CONF_DIR}). */
  public Path confDir() {
    return dir.resolve("conf");
  }

  /** The cluster's own classpath (Flink's jars), for its command-line front end. */
  public String classpath() {
    return classpath;
  }

  /** Where the cluster keeps savepoints unless told otherwise. */
  public Path savepoints() {
    return dir.resolve("savepoints");
  }

  /** Starts TaskManager {@code i} (again, after {@link #killTaskManager}). */
  public void startTaskManager(int i) throws IOException {
    // Named, so that the REST API's taskmanager-id says which process runs a task.
    taskManagers[i] = launch("taskmanager-" + i, taskManagerFlags,
        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "-D", "taskmanager.resource-id=taskmanager-" + i);
  }

  /** Kills TaskManager {@code i} as {@code kill -9} does: no shutdown, no goodbye to the JobManager. */
  public void killTaskManager(int i) throws InterruptedException {
    taskManagers[i].destroyForcibly();
    taskManagers[i].waitFor();
  }

  /** Whether TaskManager {@code i} runs. */
  public boolean taskManagerAlive(int i) {
    return taskManagers[i] != null && taskManagers[i].isAlive();
  }

  /** The process id of TaskManager {@code i}. */
  public long taskManagerPid(int i) {
    return taskManagers[i].pid();
  }

  /**
   * How many jobs' class loaders TaskManager {@code i} still holds: Flink loads each job's bundle
   * in a {@code ChildFirstClassLoader}, and a finished job's should be collected. Counted by the
   * JVM's class histogram, which first runs a full GC, so only live loaders count.
   */
  public long jobClassLoaders(int i) throws Exception {
    String histogram = jcmd(i, "GC.class_histogram");
    long loaders = 0;
    for (String line : histogram.split("\n")) {
      String[] columns = line.trim().split("\\s+");
      if (columns.length >= 4 && columns[3].equals("org.apache.flink.util.ChildFirstClassLoader")) {
        loaders += Long.parseLong(columns[1]);
      }
    }
    return loaders;
  }

  /** What {@code jcmd <pid> command} prints for TaskManager {@code i}: its heap, its classes, a GC. */
  public String jcmd(int i, String command) throws Exception {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(taskManagerPid(i)), command).redirectErrorStream(true).start();
    String output = new String(jcmd.getInputStream().readAllBytes());
    if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed: " + output);
    }
    return output;
  }

  /** Waits until the JobManager counts {@code n} registered TaskManagers. */
  public void awaitTaskManagers(int n) throws Exception {
    Await.until(n + " TaskManagers registered at " + restUrl(), Duration.ofMinutes(2), () -> {
      if (!jobManager.isAlive()) {
        throw new IllegalStateException("the JobManager exited: " + logTail("jobmanager"));
      }
      return registeredTaskManagers();
    }, registered -> registered == n);
  }

  /** How many TaskManagers the JobManager counts now (-1 while its REST API does not answer). */
  public int registeredTaskManagers() {
    try {
      String body = rest("/overview");
      Matcher m = TASK_MANAGERS.matcher(body);
      return m.find() ? Integer.parseInt(m.group(1)) : -1;
    } catch (Exception notYet) {
      return -1;
    }
  }

  /** A GET on the REST API, its body. */
  public String rest(String path) throws Exception {
    HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(URI.create(restUrl() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (reply.statusCode() != 200) {
      throw new IOException(path + " answered " + reply.statusCode() + ": " + reply.body());
    }
    return reply.body();
  }

  /**
   * The jobs the cluster has run, oldest first: their states, and for the job that spread least,
   * on how many TaskManagers its most spread task ran.
   */
  public record Jobs(List<String> ids, List<String> states, int taskManagersOfWidestTask) {}

  /** What the cluster's REST API says of its jobs. */
  public Jobs jobs() throws Exception {
    JsonNode overview = JSON.readTree(rest("/jobs/overview")).get("jobs");
    List<JsonNode> sorted = new ArrayList<>();
    overview.forEach(sorted::add);
    sorted.sort(java.util.Comparator.comparingLong(j -> j.get("start-time").asLong()));
    List<String> ids = new ArrayList<>();
    List<String> states = new ArrayList<>();
    int leastSpread = Integer.MAX_VALUE;
    for (JsonNode job : sorted) {
      states.add(job.get("state").asText());
      String id = job.get("jid").asText();
      ids.add(id);
      int widest = 0;
      for (java.util.Set<String> managers : taskManagersByVertex(id)) {
        widest = Math.max(widest, managers.size());
      }
      leastSpread = Math.min(leastSpread, widest);
    }
    return new Jobs(ids, states, sorted.isEmpty() ? 0 : leastSpread);
  }

  /** The running job, the newest if several. */
  public String runningJob() throws Exception {
    String newest = null;
    long newestStart = Long.MIN_VALUE;
    for (JsonNode job : JSON.readTree(rest("/jobs/overview")).get("jobs")) {
      if (job.get("state").asText().equals("RUNNING") && job.get("start-time").asLong() > newestStart) {
        newest = job.get("jid").asText();
        newestStart = job.get("start-time").asLong();
      }
    }
    if (newest == null) {
      throw new IllegalStateException("no job runs on " + restUrl());
    }
    return newest;
  }

  /** A TaskManager (its index) that runs one of the job's tasks. */
  public int taskManagerRunning(String jobId) throws Exception {
    for (java.util.Set<String> managers : taskManagersByVertex(jobId)) {
      for (String id : managers) {
        if (id.startsWith("taskmanager-")) {
          return Integer.parseInt(id.substring("taskmanager-".length()));
        }
      }
    }
    throw new IllegalStateException("no TaskManager of " + restUrl() + " runs a task of " + jobId);
  }

  /** For each of the job's tasks, the ids of the TaskManagers that run (or ran) it. */
  private List<java.util.Set<String>> taskManagersByVertex(String jobId) throws Exception {
    List<java.util.Set<String>> out = new ArrayList<>();
    for (JsonNode vertex : JSON.readTree(rest("/jobs/" + jobId)).get("vertices")) {
      java.util.Set<String> ids = new java.util.TreeSet<>();
      JSON.readTree(rest("/jobs/" + jobId + "/vertices/" + vertex.get("id").asText() + "/taskmanagers"))
          .get("taskmanagers").forEach(m -> ids.add(m.get("taskmanager-id").asText()));
      out.add(ids);
    }
    return out;
  }

  /** The failures a job recovered from (or did not), oldest first: each one's exception and where. */
  public List<String> failures(String jobId) throws Exception {
    List<String> out = new ArrayList<>();
    JsonNode entries = JSON.readTree(rest("/jobs/" + jobId + "/exceptions")).path("exceptionHistory").path("entries");
    entries.forEach(e -> out.add(0, e.path("exceptionName").asText() + " at " + e.path("taskManagerId").asText()
        + " (" + e.path("taskName").asText() + ")"));
    return out;
  }

  /** The largest parallelism of the job's tasks. */
  public int parallelism(String jobId) throws Exception {
    int widest = 0;
    for (JsonNode vertex : JSON.readTree(rest("/jobs/" + jobId)).get("vertices")) {
      widest = Math.max(widest, vertex.get("parallelism").asInt());
    }
    return widest;
  }

  /** How many times the job was restored from one of its checkpoints (after a failure). */
  public long checkpointRestores(String jobId) throws Exception {
    return JSON.readTree(rest("/jobs/" + jobId + "/checkpoints")).path("counts").path("restored").asLong();
  }

  /** The last lines of a process's log ({@code jobmanager}, {@code taskmanager-0}, ...). */
  public String logTail(String process) {
    return ServiceProcesses.tail(dir.resolve("log").resolve(process + ".log"));
  }

  @Override
  public void close() {
    for (Process p : taskManagers) {
      ServiceProcesses.stop(p);
    }
    ServiceProcesses.stop(jobManager);
  }


  private Process launch(String name, ProcessFlags flags, String mainClass, String... dynamicProperties)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(ServiceProcesses.java()));
    command.addAll(flags.jvm());
    command.addAll(jvmArgs);
    command.addAll(JavaCommand.launcherFlags("jvm-flags"));
    command.addAll(List.of("-Dlog.file=" + dir.resolve("log").resolve(name + ".log"),
        "-Dlog4j.configurationFile=" + dir.resolve("conf/log4j.properties").toUri(),
        "-cp", classpath, mainClass, "--configDir", confDir().toString()));
    command.addAll(flags.dynamicProperties());
    command.addAll(List.of(dynamicProperties));
    File out = dir.resolve("log").resolve(name + ".out").toFile();
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out)).start();
  }

  /**
   * What Flink's scripts ask {@code BashJavaUtils} before starting a process: its JVM memory flags,
   * and the memory sizes it must be told as dynamic properties ({@code -D key=value}).
   */
  private record ProcessFlags(List<String> jvm, List<String> dynamicProperties) {
    private static final String RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";

    static ProcessFlags of(FlinkCluster cluster, String command) throws Exception {
      Path log = cluster.dir.resolve("log").resolve(command + ".log");
      Process p = new ProcessBuilder(ServiceProcesses.java(), "-cp", cluster.classpath, "-Dlog.file=" + log,
          "-Dlog4j.configurationFile=" + cluster.dir.resolve("conf/log4j.properties").toUri(),
          "org.apache.flink.runtime.util.bash.BashJavaUtils", command, "--configDir", cluster.confDir().toString())
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("BashJavaUtils " + command + " failed:\n" + output);
      }
      List<String> results = output.lines().filter(l -> l.startsWith(RESULT))
          .map(l -> l.substring(RESULT.length()).trim()).toList();
      if (results.size() < 2) {
        throw new IllegalStateException("BashJavaUtils " + command + " printed no resource flags:\n" + output);
      }
      List<String> dynamic = new ArrayList<>();
      for (String property : results.get(1).replaceFirst("^-D ", "").split(" -D ")) {
        dynamic.addAll(List.of("-D", property.trim()));
      }
      return new ProcessFlags(Arrays.asList(results.get(0).split(" ")), dynamic);
    }
  }


}
