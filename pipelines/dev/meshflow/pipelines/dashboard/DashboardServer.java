package dev.meshflow.pipelines.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code ./meshflow dashboard}: one page of panels over a warehouse, kept live by server-sent
 * events. One thread reads every panel once per refresh, however many pages are open, and pushes
 * the snapshot to each page when it changed, so the warehouse's load does not grow with viewers.
 *
 * <ul>
 *   <li>{@code GET /}: the page; {@code /assets/...}: its script, style and ECharts, from the
 *       classpath (no CDN).
 *   <li>{@code GET /api/snapshot}: every panel's data now, as JSON; {@code GET /api/stream}: the
 *       same as server-sent events, one per change.
 *   <li>{@code GET /api/dead-letters?stage=S&kind=K}: a few payloads of one stage and kind of
 *       reason, the stage a bound parameter. The browser never sends SQL.
 * </ul>
 *
 * <p>The page builds its DOM with text nodes only and is served under a content security policy
 * that allows no inline script, so a payload with markup is shown, never run.
 */
public final class DashboardServer implements AutoCloseable {
  private static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
  private static final String ASSETS = "/dev/meshflow/pipelines/dashboard/";
  /** How often the products' topics are read for their freshness: a few records each, not every refresh. */
  private static final Duration FRESHNESS_INTERVAL = Duration.ofSeconds(10);
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
      + " img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  /** A comment line is sent at least this often, so an idle page's connection stays open. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  /** A static file: its bytes and content type. */
  private record Asset(byte[] bytes, String type) {}

  private final Map<String, Asset> assets;
  private final Snapshots snapshots;
  private final Server server;
  private final ServerConnector connector;
  private final ScheduledExecutorService refresher;
  /** Open event streams, each with whether a write to it is still in flight. */
  private final Map<Stream, Boolean> streams = new ConcurrentHashMap<>();
  private volatile byte[] latest;
  /** The latest snapshot without its time: what tells a change. Only the refresh thread uses it. */
  private ObjectNode latestContent;
  private volatile long latestAtNanos;
  private final AtomicLong snapshotsRead = new AtomicLong();
  private final AtomicLong snapshotNanos = new AtomicLong();

  private DashboardServer(Snapshots snapshots, Map<String, Asset> assets, String bind, int port) {
    this.snapshots = snapshots;
    this.assets = assets;
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName("meshflow-dashboard");
    threads.setDaemon(true);
    this.server = new Server(threads);
    this.connector = new ServerConnector(server, 1, 1);
    connector.setHost(bind);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        return DashboardServer.this.handle(request, response, callback);
      }
    });
    this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "meshflow-dashboard-refresh");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Serves the dashboard on {@code bind:port} (0: any free port), reading {@code warehouse} (a new
   * connection per snapshot, closed after it) every {@code refresh}, the runs' lineage events from
   * {@code lineageFile} and the products from the catalog in {@code catalogDir}.
   */
  public static DashboardServer start(Callable<Connection> warehouse, String warehouseName, Path lineageFile,
      Path catalogDir, String bind, int port, Duration refresh) throws Exception {
    return start(warehouse, warehouseName, lineageFile, catalogDir, bind, port, refresh, () -> null, null);
  }

  /**
   * As above, for a dashboard served from a running job's JVM: {@code liveJob} gives that job's
   * latest progress line (counts, rate, whether it keeps up), shown above the runs; null while
   * there is none. The products' streams are read from {@code bootstrap} for their measured
   * freshness; null reads each from its contract's kafka port.
   */
  public static DashboardServer start(Callable<Connection> warehouse, String warehouseName, Path lineageFile,
      Path catalogDir, String bind, int port, Duration refresh, java.util.function.Supplier<String> liveJob,
      String bootstrap) throws Exception {
    Map<String, Asset> assets = Map.of(
        "/", asset(ASSETS + "index.html", "text/html; charset=utf-8"),
        "/assets/dashboard.js", asset(ASSETS + "dashboard.js", "text/javascript; charset=utf-8"),
        "/assets/dashboard.css", asset(ASSETS + "dashboard.css", "text/css; charset=utf-8"),
        "/assets/echarts.min.js", asset(ECHARTS, "text/javascript; charset=utf-8"));
    DashboardServer dashboard = new DashboardServer(new Snapshots(warehouse, warehouseName, lineageFile, catalogDir,
        liveJob, new ProductFreshness(bootstrap, FRESHNESS_INTERVAL)), assets, bind, port);
    dashboard.refresh();
    dashboard.server.start();
    long millis = refresh.toMillis();
    dashboard.refresher.scheduleWithFixedDelay(dashboard::refresh, millis, millis, TimeUnit.MILLISECONDS);
    return dashboard;
  }

  private static Asset asset(String resource, String type) throws IOException {
    try (InputStream in = DashboardServer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's " + resource + " is not on the classpath");
      }
      return new Asset(in.readAllBytes(), type);
    }
  }

  public String url() {
    return "http://" + (connector.getHost().contains(":") ? "[" + connector.getHost() + "]" : connector.getHost())
        + ":" + connector.getLocalPort() + "/";
  }

  /** Snapshots read so far, and their mean time in milliseconds: what the dashboard costs the warehouse. */
  public String readCost() {
    long n = snapshotsRead.get();
    return n + " snapshots, " + (n == 0 ? 0 : snapshotNanos.get() / n / 1_000_000) + " ms each";
  }

  @Override
  public void close() throws Exception {
    refresher.shutdownNow();
    // A read in flight finishes first: the job's own DuckDB instance closes right after this.
    refresher.awaitTermination(10, TimeUnit.SECONDS);
    streams.keySet().forEach(s -> s.callback.succeeded());
    server.stop();
    snapshots.close();
  }

  /** Reads the panels and pushes them to every page when they changed; a heartbeat otherwise. */
  private void refresh() {
    try {
      long t0 = System.nanoTime();
      ObjectNode snapshot = snapshots.read();
      snapshotNanos.addAndGet(System.nanoTime() - t0);
      snapshotsRead.incrementAndGet();
      ObjectNode content = snapshot.deepCopy();
      content.remove("asOf");
      long now = System.nanoTime();
      if (!content.equals(latestContent)) {
        latestContent = content;
        byte[] body = PanelSql.JSON.writeValueAsBytes(snapshot);
        latest = body;
        latestAtNanos = now;
        broadcast(snapshotEvent(body));
      } else if (now - latestAtNanos > HEARTBEAT.toNanos()) {
        latestAtNanos = now;
        broadcast(": unchanged\n\n".getBytes(StandardCharsets.UTF_8));
      }
    } catch (Exception | Error e) {
      // One failed refresh (the warehouse mid-restart, say) must not stop the next ones.
      System.err.println("dashboard: a refresh failed: " + Snapshots.oneLine(e));
    }
  }

  /** A snapshot as one server-sent event (its JSON is one line, so one data line). */
  private static byte[] snapshotEvent(byte[] json) {
    String event = "event: snapshot\ndata: " + new String(json, StandardCharsets.UTF_8) + "\n\n";
    return event.getBytes(StandardCharsets.UTF_8);
  }

  /** One page's event stream. */
  private static final class Stream {
    final Response response;
    final Callback callback;
    final AtomicBoolean writing = new AtomicBoolean();

    Stream(Response response, Callback callback) {
      this.response = response;
      this.callback = callback;
    }
  }

  private void broadcast(byte[] event) {
    for (Stream s : streams.keySet()) {
      send(s, event);
    }
  }

  /** Writes {@code event} unless the page is still reading the last one: a slow page skips a snapshot. */
  private void send(Stream s, byte[] event) {
    if (!s.writing.compareAndSet(false, true)) {
      return;
    }
    s.response.write(false, ByteBuffer.wrap(event), Callback.from(() -> s.writing.set(false), failure -> {
      streams.remove(s);
      s.callback.failed(failure);
    }));
  }

  private boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    var headers = response.getHeaders();
    headers.put("Content-Security-Policy", CSP);
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("Referrer-Policy", "no-referrer");
    if (!request.getMethod().equals("GET")) {
      headers.put(HttpHeader.ALLOW, "GET");
      return reply(response, callback, 405, error("the dashboard only answers GET"));
    }
    Asset asset = assets.get(path);
    if (asset != null) {
      headers.put(HttpHeader.CONTENT_TYPE, asset.type());
      headers.put(HttpHeader.CACHE_CONTROL, path.equals("/assets/echarts.min.js") ? "max-age=3600" : "no-cache");
      response.setStatus(200);
      response.write(true, ByteBuffer.wrap(asset.bytes()), callback);
      return true;
    }
    try {
      switch (path) {
        case "/api/snapshot" -> {
          byte[] body = latest != null ? latest : PanelSql.JSON.writeValueAsBytes(snapshots.read());
          return reply(response, callback, 200, body);
        }
        case "/api/stream" -> {
          headers.put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
          headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
          response.setStatus(200);
          Stream s = new Stream(response, callback);
          streams.put(s, Boolean.TRUE);
          byte[] now = latest;
          send(s, now == null ? ": waiting\n\n".getBytes(StandardCharsets.UTF_8)
              : snapshotEvent(now));
          return true;
        }
        case "/api/dead-letters" -> {
          Fields query = Request.extractQueryParameters(request);
          String stage = query.getValue("stage");
          String kind = query.getValue("kind");
          if (stage == null || kind == null) {
            return reply(response, callback, 400, error("give stage and kind, e.g. ?stage=parse&kind=not valid JSON"));
          }
          JsonNode samples = snapshots.deadLetterSamples(stage, kind);
          return reply(response, callback, 200, PanelSql.JSON.writeValueAsBytes(samples));
        }
        case "/health" -> {
          return reply(response, callback, 200, PanelSql.JSON.writeValueAsBytes(
              PanelSql.JSON.createObjectNode().put("status", "ok").put("snapshots", readCost())));
        }
        default -> {
          return reply(response, callback, 404, error("no such page: the dashboard is at /"));
        }
      }
    } catch (Exception e) {
      return reply(response, callback, 503, error("cannot read the warehouse: " + Snapshots.oneLine(e)));
    }
  }

  private static byte[] error(String message) {
    try {
      return PanelSql.JSON.writeValueAsBytes(PanelSql.JSON.createObjectNode().put("error", message));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean reply(Response response, Callback callback, int status, byte[] json) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.write(true, ByteBuffer.wrap(json), callback);
    return true;
  }
}
