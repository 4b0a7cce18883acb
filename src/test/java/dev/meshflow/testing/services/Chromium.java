package dev.meshflow.testing.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshflow.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A real headless Chromium (Debian's package, installed by runners-config/local/chromium/install.sh
 * on first use), driven over the DevTools protocol on a JDK WebSocket: load a page, evaluate
 * JavaScript in it, collect its uncaught errors, and screenshot an element. A test that needs it
 * is skipped, with the installer's one line, only where Chromium cannot be installed.
 */
public final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path INSTALL = Path.of("runners-config/local/chromium/install.sh");
  private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  /** Uncaught exceptions and console errors the page reported. */
  private final List<String> pageErrors = new CopyOnWriteArrayList<>();

  private Chromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** The browser's path, installing it first if needed; skips the calling test if it cannot be. */
  public static synchronized String binary() throws Exception {
    Path log = Files.createTempFile("chromium-install", ".log");
    Process install = new ProcessBuilder("bash", INSTALL.toString())
        .redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    if (!install.waitFor(10, TimeUnit.MINUTES)) {
      install.destroyForcibly();
      throw new IllegalStateException("the Chromium install took over 10 minutes: " + Files.readString(log));
    }
    List<String> lines = Files.readAllLines(log);
    Files.deleteIfExists(log);
    Assumptions.assumeTrue(install.exitValue() == 0, () -> String.join(" ", lines));
    return lines.get(lines.size() - 1).trim();
  }

  /** Starts a headless browser on an empty page, with a fresh profile and a {@code width}x{@code height} window. */
  public static Chromium start(int width, int height) throws Exception {
    String binary = binary();
    Path profile = Files.createTempDirectory("chromium-profile");
    Path log = profile.resolve("stderr.log");
    // The background-networking flags keep Chromium from calling Google's hosts, which this machine refuses.
    Process process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile,
        "--remote-debugging-port=0", "--remote-allow-origins=*", "--window-size=" + width + "," + height,
        "about:blank")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile()).start();
    try {
      String browserUrl = Await.until("Chromium's DevTools address", Duration.ofSeconds(60), () -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("Chromium exited: " + Files.readString(log));
        }
        Matcher m = DEVTOOLS.matcher(Files.exists(log) ? Files.readString(log) : "");
        return m.find() ? m.group(1) : null;
      }, url -> url != null);
      URI browser = URI.create(browserUrl);
      String http = "http://" + browser.getHost() + ":" + browser.getPort();
      String pageUrl = Await.until("a page target in Chromium", Duration.ofSeconds(30), () -> {
        HttpResponse<String> list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http + "/json/list"))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : JSON.readTree(list.body())) {
          if (target.path("type").asText().equals("page")) {
            return target.path("webSocketDebuggerUrl").asText();
          }
        }
        return null;
      }, url -> url != null);
      Listener listener = new Listener();
      WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
          .buildAsync(URI.create(pageUrl), listener).get(30, TimeUnit.SECONDS);
      Chromium chromium = new Chromium(process, profile, socket);
      listener.owner = chromium;
      chromium.call("Runtime.enable", JSON.createObjectNode());
      chromium.call("Page.enable", JSON.createObjectNode());
      return chromium;
    } catch (Exception | AssertionError e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Sends one DevTools command and waits for its result; a protocol error fails the call. */
  public JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    socket.sendText(JSON.writeValueAsString(message), true).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    JsonNode answer = reply.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IllegalStateException(method + " failed: " + answer.get("error"));
    }
    return answer.path("result");
  }

  /** Loads {@code url} and waits until the document has loaded. */
  public void open(String url) throws Exception {
    call("Page.navigate", JSON.createObjectNode().put("url", url));
    Await.until("the page " + url + " to load", Duration.ofSeconds(30),
        () -> evaluate("document.readyState === 'complete' && location.href === " + JSON.writeValueAsString(url)),
        JsonNode::asBoolean);
  }

  /** The value of a JavaScript expression in the page (a promise is awaited), as JSON. */
  public JsonNode evaluate(String expression) throws Exception {
    JsonNode result = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
        .put("returnByValue", true).put("awaitPromise", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException("the page threw on " + expression + ": "
          + result.path("exceptionDetails").path("exception").path("description").asText(
              result.path("exceptionDetails").toString()));
    }
    return result.path("result").path("value");
  }

  /** Saves a PNG of the element {@code selector} selects, scrolled into view, to {@code file}. */
  public void screenshot(String selector, Path file) throws Exception {
    screenshot(selector, file, 1);
  }

  /** As {@link #screenshot(String, Path)}, drawn at {@code scale} (0.5: half as wide). */
  public void screenshot(String selector, Path file, double scale) throws Exception {
    JsonNode box = evaluate("(() => { const e = document.querySelector(" + JSON.writeValueAsString(selector) + ");"
        + " e.scrollIntoView(); const r = e.getBoundingClientRect();"
        + " return {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height}; })()");
    ObjectNode clip = JSON.createObjectNode().put("x", box.path("x").asDouble()).put("y", box.path("y").asDouble())
        .put("width", box.path("width").asDouble()).put("height", box.path("height").asDouble()).put("scale", scale);
    ObjectNode params = JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
    params.set("clip", clip);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(call("Page.captureScreenshot", params).path("data").asText()));
  }

  /** The page's uncaught exceptions and console errors so far. */
  public List<String> pageErrors() {
    return new ArrayList<>(pageErrors);
  }

  @Override
  public void close() throws IOException {
    socket.abort();
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Joins a message's frames, then hands replies to their callers and keeps the page's errors. */
  private static final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();
    private volatile Chromium owner;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        try {
          owner.received(JSON.readTree(message));
        } catch (IOException e) {
          throw new IllegalStateException("Chromium sent a message that is not JSON", e);
        }
      }
      webSocket.request(1);
      return null;
    }
  }

  private void received(JsonNode message) {
    if (message.has("id")) {
      CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
      if (reply != null) {
        reply.complete(message);
      }
      return;
    }
    String method = message.path("method").asText();
    if (method.equals("Runtime.exceptionThrown")) {
      JsonNode details = message.path("params").path("exceptionDetails");
      pageErrors.add(details.path("exception").path("description").asText(details.path("text").asText()));
    } else if (method.equals("Runtime.consoleAPICalled") && message.path("params").path("type").asText().equals("error")) {
      pageErrors.add("console.error: " + message.path("params").path("args").toString());
    }
  }
}
