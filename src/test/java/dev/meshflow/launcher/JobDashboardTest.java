package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.CliRun;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --dashboardPort}: a streaming run into DuckDB serves its own dashboard, which shows the run
 * as it writes (a second process could not open the file), with the job's progress line; the
 * dashboard stops with the job and leaves the file to others.
 */
public class JobDashboardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path tmp;

  @Test
  public void aLiveRunIntoDuckDbServesItsOwnDashboardWhileItRuns() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String db = tmp.resolve("live.duckdb").toString();
    ExecutorService runner = Executors.newSingleThreadExecutor();
    CompletableFuture<CliRun> live = CompletableFuture.supplyAsync(() -> CliRun.of(List.of("interaction-analytics",
        "--streaming=true", "--runFor=15s", "--earlyFiringInterval=1s", "--sink=duckdb:" + db,
        "--lineageFile=" + tmp.resolve("lineage.jsonl"), "--dashboardPort=" + port,
        "--source=generator:interactions?seed=5&rate=100")), runner);
    runner.shutdown();
    String url = "http://127.0.0.1:" + port + "/api/snapshot";
    long first = Await.until("plays on the job's own dashboard", Duration.ofSeconds(60),
        () -> live.isDone() ? -1 : playsOnceListening(url), n -> n != 0);
    Await.until("the plays it shows to grow while the job writes", Duration.ofSeconds(30),
        () -> live.isDone() ? -1 : plays(url), n -> n > first || n < 0);
    long grown = plays(url);
    assertThat("seen growing before the run ended: " + first + " then " + grown, grown > first);
    String progress = Await.until("the job's progress line on its dashboard", Duration.ofSeconds(20),
        () -> live.isDone() ? "ended" : snapshot(url).path("liveJob").asText(""), line -> !line.isEmpty());
    assertThat(progress, containsString("| valid "));
    assertThat(progress, containsString(" read "));

    CliRun run = live.get(3, TimeUnit.MINUTES);
    assertEquals(0, run.code, run.err);
    assertThat(run.out, containsString("meshflow: dashboard at http://127.0.0.1:" + port + "/ while the job runs"));
    assertThrows(java.net.ConnectException.class, () -> plays(url), "the dashboard stops with the job");
    CliRun query = CliRun.of(List.of("query", "--db=" + db, "SELECT count(*) AS n FROM item_minute_stats"));
    assertEquals(0, query.code, "the file is free for another reader once the job ends: " + query.err);
  }

  @Test
  public void aDashboardPortWithoutAWarehouseIsOneLine() {
    CliRun run = CliRun.of(List.of("interaction-analytics", "--dashboardPort=8070", "--sink=console:",
        "--source=generator:interactions?events=10"));
    assertEquals(Main.USAGE, run.code);
    assertThat(run.err, containsString("--dashboardPort needs a warehouse sink"));
  }

  /** The plays shown, or 0 while the job has not started its dashboard yet. */
  private long playsOnceListening(String url) throws Exception {
    try {
      return plays(url);
    } catch (java.net.ConnectException notYet) {
      return 0;
    }
  }

  private long plays(String url) throws Exception {
    return snapshot(url).path("trends").path("totals").path("plays").asLong(0);
  }

  private JsonNode snapshot(String url) throws Exception {
    HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(reply.body());
  }
}
