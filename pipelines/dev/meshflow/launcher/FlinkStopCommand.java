package dev.meshflow.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./meshflow stop}: stops a streaming job on a Flink cluster with a savepoint, through the
 * JobManager's REST API (what {@code flink stop} does), and prints how to resume from it. Resuming
 * is the job's own command with {@code --savepointPath}: the same graph, or a new parallelism, or a
 * new build of the same pipeline. The counterpart of Dataflow's update and drain.
 */
public final class FlinkStopCommand {
  private static final String USAGE = String.join("\n",
      "Usage: ./meshflow stop --flinkMaster=HOST:PORT --job=NAME|ID [options]",
      "",
      "Stops a running streaming job on a Flink cluster with a savepoint, so that it can resume",
      "where it stopped: nothing lost, nothing counted twice, windows in flight kept.",
      "",
      "  --flinkMaster=HOST:PORT  the JobManager's REST address (as the job was given)",
      "  --job=NAME|ID       the running job: its id, or its name or the start of it (meshflow names",
      "                      a job <pipeline>-<yyyyMMdd-HHmmss>, so --job=ingest finds a running",
      "                      ingest); exactly one running job must match",
      "  --savepointDir=URI  (default: the cluster's state.savepoints.dir) where the savepoint goes",
      "  --drain             end the job's windows first (the watermark moves to the end of time),",
      "                      for a job that will not be resumed",
      "  --timeoutSeconds=N  (default: 120) how long to wait for the savepoint",
      "  --help, -h          this text",
      "",
      "Then resume: the job's own command, plus --savepointPath=<the location printed>; a new",
      "--parallelism may be given.");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private FlinkStopCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    String master = null;
    String job = null;
    String savepointDir = null;
    boolean drain = false;
    long timeoutSeconds = 120;
    Map<String, String> options = CommandArgs.options(args);
    if (CommandArgs.wantsHelp(options)) {
      out.println(USAGE);
      return Main.OK;
    }
    for (Map.Entry<String, String> option : options.entrySet()) {
      String name = option.getKey();
      String value = option.getValue();
      switch (name) {
        case "--flinkMaster" -> master = value;
        case "--job" -> job = value;
        case "--savepointDir" -> savepointDir = value;
        case "--drain" -> drain = value.isEmpty() || Boolean.parseBoolean(value);
        case "--timeoutSeconds" -> timeoutSeconds = CommandArgs.wholeNumber("stop", name, value, 1, 86_400);
        default -> throw CommandArgs.unknown("stop", name, value);
      }
    }
    if (master == null || master.isEmpty() || master.startsWith("[")) {
      throw new IllegalArgumentException("stop: --flinkMaster=HOST:PORT names the cluster's JobManager"
          + " (an embedded cluster ends with its launcher; ./meshflow stop --help)");
    }
    if (job == null || job.isEmpty()) {
      throw new IllegalArgumentException("stop: --job=NAME|ID names the job to stop (./meshflow stop --help)");
    }
    String base = "http://" + master;
    JsonNode chosen = runningJob(base, job);
    String id = chosen.get("jid").asText();
    String name = chosen.get("name").asText();
    ObjectNode body = JSON.createObjectNode().put("drain", drain);
    if (savepointDir != null) {
      body.put("targetDirectory", savepointDir);
    }
    err.println("meshflow: stopping " + name + " (" + id + ") with a savepoint...");
    String request = post(base + "/jobs/" + id + "/stop", body).path("request-id").asText();
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (true) {
      JsonNode status = get(base + "/jobs/" + id + "/savepoints/" + request);
      if ("COMPLETED".equals(status.path("status").path("id").asText())) {
        JsonNode operation = status.path("operation");
        if (operation.has("failure-cause")) {
          throw new IllegalStateException("the savepoint of " + name + " failed: "
              + operation.path("failure-cause").path("stack-trace").asText().lines().findFirst().orElse("?"));
        }
        String location = operation.path("location").asText();
        out.println("stopped " + name + " (" + id + ") with a savepoint at " + location);
        out.println("resume   the job's own command, plus --savepointPath=" + location
            + (drain ? "  (drained: its windows have fired for good)" : ""));
        return Main.OK;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the savepoint of " + name + " was not done within " + timeoutSeconds
            + " s; the job may still be running (" + base + "/#/job/" + id + ")");
      }
      Thread.sleep(250); // the savepoint's progress, asked four times a second
    }
  }

  /** The one running job {@code job} names: an id, a name, or the start of a name. */
  private static JsonNode runningJob(String base, String job) throws Exception {
    List<JsonNode> matches = new ArrayList<>();
    List<String> running = new ArrayList<>();
    for (JsonNode j : get(base + "/jobs/overview").path("jobs")) {
      if (!"RUNNING".equals(j.path("state").asText())) {
        continue;
      }
      running.add(j.path("name").asText());
      if (j.path("jid").asText().equals(job) || j.path("name").asText().startsWith(job)) {
        matches.add(j);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    throw new IllegalArgumentException("stop: " + (matches.isEmpty() ? "no running job" : matches.size()
        + " running jobs") + " on " + base + " match --job=" + job + "; running: "
        + (running.isEmpty() ? "none" : String.join(", ", running)));
  }

  private static JsonNode get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), url);
  }

  private static JsonNode post(String url, JsonNode body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), url);
  }

  private static JsonNode send(HttpRequest request, String url) throws Exception {
    HttpResponse<String> reply;
    try {
      reply = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IllegalArgumentException("stop: no Flink JobManager answers at " + URI.create(url).getAuthority()
          + " (--flinkMaster)");
    }
    if (reply.statusCode() / 100 != 2) {
      throw new IOException(url + " answered " + reply.statusCode() + ": " + reply.body());
    }
    return JSON.readTree(reply.body());
  }
}
