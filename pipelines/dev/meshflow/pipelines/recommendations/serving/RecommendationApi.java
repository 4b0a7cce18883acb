package dev.meshflow.pipelines.recommendations.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshflow.io.http.HttpServers;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.mesh.contract.ContractRecords;
import dev.meshflow.io.mesh.contract.RefusedRecordException;
import dev.meshflow.io.sql.ReadOnlyConnections;
import dev.meshflow.transforms.recommendations.CatalogItem;
import dev.meshflow.transforms.recommendations.ListedUser;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import dev.meshflow.transforms.recommendations.Scoring;
import dev.meshflow.transforms.recommendations.RecommenderRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The recommendations API, {@code ./meshflow serve}: HTTP and JSON, answered from the serving
 * store while the {@code recommendations} job writes it. Routes are listed in {@link #ROUTES}, and
 * {@code /openapi.json} describes them (a test keeps the two equal).
 *
 * <ul>
 *   <li>400: a bad parameter, with a message; 404: an unknown path or item; 405: the wrong method.
 *   <li>{@code POST /events}: 202 once the Interactions product's topic has the event; 422 with
 *       each broken contract rule's field and reason; 400 malformed JSON; 413 too large; 503 the
 *       broker or the catalog is away (nothing published).
 *   <li>503: the store cannot be reached or has no recommendation tables yet, with the reason. A
 *       connection that failed is dropped, so the API recovers by itself when the store is back.
 * </ul>
 */
public final class RecommendationApi implements AutoCloseable {
  static final int MAX_N = 100;
  /** The reason given for an item a user the model has never seen gets. */
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID = "([^/]{1,256})";

  /** One route: its method, path pattern (OpenAPI form) and query parameters. */
  record Route(String method, String path, List<String> query) {}

  /** Every route this API serves, in the order /openapi.json lists them. */
  static final List<Route> ROUTES = List.of(
      new Route("GET", "/recommendations/{user_id}", List.of("n", "type")),
      new Route("GET", "/items/{item_id}/similar", List.of("n", "type")),
      new Route("GET", "/trending", List.of("n", "type", "genre")),
      new Route("POST", "/events", List.of()),
      new Route("GET", "/health", List.of()),
      new Route("GET", "/openapi.json", List.of()));

  private static final Pattern RECOMMENDATIONS = Pattern.compile("/recommendations/" + ID);
  private static final Pattern SIMILAR = Pattern.compile("/items/" + ID + "/similar");

  static final int MAX_EVENT_BYTES = 64 * 1024;

  private final TableSink store;
  private final EventPublisher events;
  /** Where each served list is logged for online evaluation; null if it is not. */
  private final ServedListLog servedLists;
  private final NeighbourhoodCache cache;
  private final ReadOnlyConnections connections;
  private final HttpServer server;
  private final ExecutorService executor;

  private RecommendationApi(TableSink store, EventPublisher events, ServedListLog servedLists, long cacheMillis,
      HttpServer server, ExecutorService executor, int pool) {
    this.store = store;
    this.events = events;
    this.servedLists = servedLists;
    // One more connection than threads: the cache's refresher reads beside the requests.
    this.connections = new ReadOnlyConnections(store, pool + 1);
    this.cache = new NeighbourhoodCache(cacheMillis, connections);
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving {@code store} on {@code bind:port} (port 0: any free one) with {@code threads};
   * {@code POST /events} publishes to the Interactions product of the catalog in {@code catalogDir}.
   *
   * @param bootstrap the brokers; null: the product's own
   * @param topic the topic; null: the product's own
   */
  public static RecommendationApi start(TableSink store, java.nio.file.Path catalogDir, String bootstrap, String topic,
      String bind, int port, int threads) throws IOException {
    return start(store, catalogDir, bootstrap, topic, bind, port, threads, null, 0);
  }

  /**
   * As {@link #start(TableSink, java.nio.file.Path, String, String, String, int, int)}, and logs
   * each list served to {@code servedLists} (kafka://host:port/topic; null: not logged), with the
   * {@code served_id} the reply carries, for the recommendations job's online evaluation; and keeps
   * each seed's neighbourhood for up to {@code cacheMillis} (0: reads it for every request).
   */
  public static RecommendationApi start(TableSink store, java.nio.file.Path catalogDir, String bootstrap, String topic,
      String bind, int port, int threads, String servedLists, long cacheMillis) throws IOException {
    ServedListLog log = servedLists == null ? null : ServedListLog.open(servedLists);
    HttpServer server = HttpServers.create(new InetSocketAddress(bind, port), 256);
    ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "meshflow-serve-http");
      t.setDaemon(true);
      return t;
    });
    RecommendationApi api = new RecommendationApi(store, new EventPublisher(catalogDir, bootstrap, topic), log,
        cacheMillis, server, executor, threads);
    server.createContext("/", api::handle);
    server.setExecutor(executor);
    server.start();
    return api;
  }

  public String url() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    cache.close();
    connections.close();
    events.close();
    if (servedLists != null) {
      servedLists.close();
    }
  }

  /** Lists published to the served-lists log, and lists it dropped; null if none is kept. */
  public long[] servedListCounts() {
    return servedLists == null ? null : new long[] {servedLists.published(), servedLists.dropped()};
  }

  /** A request the API refuses, with its status and message. */
  private static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        String path = exchange.getRequestURI().getRawPath();
        String method = path.equals("/events") ? "POST" : "GET";
        if (!exchange.getRequestMethod().equals(method)) {
          exchange.getResponseHeaders().add("Allow", method);
          throw new Refused(405, "use " + method);
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        if (method.equals("POST")) {
          accept(query);
          reply(exchange, 202, json(event(exchange.getRequestBody())));
        } else {
          reply(exchange, 200, route(path, query));
        }
      } catch (RefusedRecordException refused) {
        ObjectNode body = JSON.createObjectNode().put("error", "the event breaks the " + EventPublisher.PRODUCT
            + " contract");
        ArrayNode violations = body.putArray("violations");
        refused.violations().forEach(v -> violations.addObject().put("field", v.field()).put("reason", v.reason()));
        reply(exchange, 422, json(body));
      } catch (Refused r) {
        reply(exchange, r.status, error(r.getMessage()));
      } catch (SQLException e) {
        reply(exchange, 503, error(unavailable(e)));
      } catch (StoreFailure e) {
        reply(exchange, 503, error(unavailable((SQLException) e.getCause())));
      } catch (RuntimeException e) {
        reply(exchange, 500, error("the API failed: " + e.getClass().getSimpleName()));
      }
    }
  }

  private byte[] route(String path, Map<String, String> query) throws SQLException, IOException {
    Matcher m;
    if ((m = RECOMMENDATIONS.matcher(path)).matches()) {
      accept(query, "n", "type");
      String user = decode(m.group(1));
      return json(recommendations(user, count(query), type(query)));
    }
    if ((m = SIMILAR.matcher(path)).matches()) {
      accept(query, "n", "type");
      return json(similar(decode(m.group(1)), count(query), type(query)));
    }
    switch (path) {
      case "/trending":
        accept(query, "n", "type", "genre");
        return json(trending(count(query), type(query), genre(query)));
      case "/health":
        accept(query);
        return json(health());
      case "/openapi.json":
        accept(query);
        try (InputStream in = RecommendationApi.class.getResourceAsStream("openapi.json")) {
          return in.readAllBytes();
        }
      default:
        throw new Refused(404, "no such path; the API serves " + String.join(", ",
            ROUTES.stream().map(Route::path).toList()));
    }
  }

  /** Checks one interaction against the contract and publishes it; answers once the broker has it. */
  private ObjectNode event(InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(MAX_EVENT_BYTES + 1);
    if (bytes.length > MAX_EVENT_BYTES) {
      throw new Refused(413, "an event is at most " + MAX_EVENT_BYTES + " bytes");
    }
    JsonNode event;
    try {
      event = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new Refused(400, "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr());
    }
    if (event == null || !event.isObject()) {
      throw new Refused(400, "the body must be one JSON object: an interaction as the " + EventPublisher.PRODUCT
          + " contract describes it");
    }
    try {
      String id = events.publish(ContractRecords.values(event));
      return JSON.createObjectNode().put("published", true).put("id", id).put("topic", events.topic())
          .put("event_id", event.path("event_id").asText());
    } catch (IllegalStateException noCatalog) {
      throw new Refused(503, noCatalog.getMessage());
    } catch (ExecutionException | org.apache.kafka.common.KafkaException e) {
      events.reset();
      throw new Refused(503, "the broker did not take the event, which was not published ("
          + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName() + "); send it again");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Refused(503, "interrupted while the broker took the event");
    }
  }

  private ObjectNode recommendations(String user, int n, String type) throws SQLException {
    return connections.with(c -> {
      RecommendationStore.VersionAndHistory read = RecommendationStore.versionAndHistory(c, user);
      RecommendationStore.History history = read.history();
      ObjectNode reply = JSON.createObjectNode().put("user_id", user);
      if (history == null) {
        // A user the model has never seen gets what listeners in their country play, or what is
        // trending now, not an error.
        List<RecommendationStore.TrendingItem> trending = RecommendationStore.trending(c, n, type, null).items();
        List<Scoring.Scored> items = trending.isEmpty() ? RecommendationStore.popular(c, n, type)
            : trending.stream().map(p -> new Scoring.Scored(p.item(), p.type(), p.plays(),
                CatalogItem.trendingReason(p.type(), p.genre()))).toList();
        ListedUser listed = RecommendationStore.listedUser(c, user);
        if (listed != null && !listed.deleted() && listed.country() != null) {
          List<List<String>> recents = RecommendationStore.countryListeners(c, listed.country());
          Set<String> played = new HashSet<>();
          recents.forEach(played::addAll);
          items = Scoring.coldStart(listed, recents, type, n, state(c, List.of(), played), items);
        }
        reply.put("known_user", false);
        reply.set("items", items(items, false));
      } else {
        List<Scoring.Scored> ranked = Scoring.rank(history.recent(), history.skipped(), type, n,
            state(c, history.recent()));
        reply.put("known_user", true);
        reply.set("items", items(ranked, true));
      }
      reply.set("model", model(read.version()));
      logServed(reply, user, type);
      return reply;
    });
  }

  /** Gives the list an id and logs it, for online evaluation, if the API keeps a log. */
  private void logServed(ObjectNode reply, String user, String type) {
    if (servedLists == null) {
      return;
    }
    String servedId = java.util.UUID.randomUUID().toString();
    List<String> items = new java.util.ArrayList<>();
    reply.get("items").forEach(item -> items.add(item.get("item_id").asText()));
    reply.put("served_id", servedId);
    servedLists.log(servedId, user, java.time.Instant.now(), type, items);
  }

  private ObjectNode similar(String item, int n, String type) throws SQLException {
    return connections.with(c -> {
      StoreState state = state(c, List.of(item));
      if (state.plays(item) == 0 && state.item(item) == null) {
        throw new Refused(404, "no item '" + item + "' has been played"
            + (state.catalogued ? " or is listed by the item products" : "") + "; /trending lists items that have");
      }
      if (!state.available(item)) {
        throw new Refused(404, "item '" + item + "' was deleted by its product, or is not listed by it;"
            + " it is no longer recommended");
      }
      ObjectNode reply = JSON.createObjectNode().put("item_id", item);
      reply.set("items", items(Scoring.similar(item, type, n, state), true));
      reply.set("model", model(c));
      return reply;
    });
  }

  private ObjectNode trending(int n, String type, String genre) throws SQLException {
    return connections.with(c -> {
      if (genre != null && !RecommendationStore.catalogued(c)) {
        throw new Refused(400, "genre: the store knows no genres yet; they come from the item products"
            + " (./meshflow recommendations --items=mesh://songs,mesh://podcasts)");
      }
      RecommendationStore.Trending trending = RecommendationStore.trending(c, n, type, genre);
      ObjectNode reply = JSON.createObjectNode();
      reply.put("window_start", trending.windowStart() == null ? null : trending.windowStart().toString());
      reply.put("window_minutes", RecommenderRules.TRENDING_WINDOW_MILLIS / 60_000);
      ArrayNode items = reply.putArray("items");
      for (RecommendationStore.TrendingItem p : trending.items()) {
        ObjectNode item = items.addObject().put("item_id", p.item()).put("item_type", p.type())
            .put("plays", p.plays());
        if (p.genre() != null) {
          item.put("genre", p.genre());
        }
      }
      reply.set("model", model(c));
      return reply;
    });
  }

  private ObjectNode health() throws SQLException {
    return connections.with(c -> {
      ObjectNode reply = JSON.createObjectNode().put("status", "ok").put("store", store.describe());
      reply.set("model", model(c));
      long[] kept = cache.counts();
      reply.putObject("neighbourhoods").put("kept", kept[0]).put("read_by_requests", kept[1])
          .put("refreshed", kept[2]).put("refresh_failures", kept[3]).put("queued", kept[4]);
      return reply;
    });
  }

  /** What ranking reads: the seeds' neighbourhoods (kept by the cache), and nothing else up front. */
  private StoreState state(Connection c, List<String> seeds) throws SQLException {
    return state(c, seeds, Set.of());
  }

  /** The same, knowing also the plays and versions of {@code others}, which ranking may ask about. */
  private StoreState state(Connection c, List<String> seeds, Set<String> others) throws SQLException {
    RecommendationStore.Neighbourhoods hoods = cache.get(c, new HashSet<>(seeds));
    boolean catalogued = cache.catalogued(c);
    Set<String> deletedNow = catalogued ? cache.deleted(c) : Set.of();
    Set<String> rest = new HashSet<>(others);
    rest.removeAll(seeds);
    Map<String, RecommendationStore.Played> plays = RecommendationStore.plays(c, rest);
    Map<String, CatalogItem> catalog = catalogued ? RecommendationStore.items(c, rest) : Map.of();
    return new StoreState(c, hoods, plays, catalogued, catalog, deletedNow);
  }

  /**
   * The store's state for one request: the seeds' neighbourhoods and their items' plays and
   * versions as kept (nothing is copied per request), the items deleted since (kept no longer than
   * the age), and the plays and versions of other items read up front; the lists ranking asks for
   * are read when it asks.
   */
  private static final class StoreState implements Scoring.State {
    private final Connection c;
    private final RecommendationStore.Neighbourhoods hoods;
    private final Map<String, RecommendationStore.Played> plays;
    final boolean catalogued;
    private final Map<String, CatalogItem> catalog;
    private final Set<String> deletedNow;

    StoreState(Connection c, RecommendationStore.Neighbourhoods hoods, Map<String, RecommendationStore.Played> plays,
        boolean catalogued, Map<String, CatalogItem> catalog, Set<String> deletedNow) {
      this.deletedNow = deletedNow;
      this.c = c;
      this.hoods = hoods;
      this.plays = plays;
      this.catalogued = catalogued;
      this.catalog = catalog;
    }

    /** What the request read up front about {@code item}, else what the neighbourhoods hold. */
    private RecommendationStore.Played played(String item) {
      RecommendationStore.Played p = plays.get(item);
      return p != null ? p : hoods.plays().get(item);
    }

    CatalogItem item(String item) {
      CatalogItem i = catalog.get(item);
      return i != null ? i : hoods.catalog().get(item);
    }

    @Override
    public long plays(String item) {
      RecommendationStore.Played p = played(item);
      return p == null ? 0 : p.plays();
    }

    @Override
    public String type(String item) {
      RecommendationStore.Played p = played(item);
      return p == null ? null : p.type();
    }

    @Override
    public Map<String, Long> neighbours(String seed) {
      return hoods.neighbours().getOrDefault(seed, Map.of());
    }

    @Override
    public boolean available(String item) {
      // A kept neighbourhood may hold an item's version from before its product deleted it.
      return CatalogItem.available(catalogued, item(item)) && !deletedNow.contains(item);
    }

    @Override
    public List<Scoring.Scored> popular(int limit, String type) {
      try {
        return RecommendationStore.popular(c, limit, type);
      } catch (SQLException e) {
        throw new StoreFailure(e);
      }
    }

    @Override
    public List<Scoring.Scored> alike(String item, String type, int limit) {
      try {
        return catalogued ? RecommendationStore.alike(c, item(item), type, limit) : List.of();
      } catch (SQLException e) {
        throw new StoreFailure(e);
      }
    }
  }

  /** A store error from inside ranking, which cannot throw SQLException. */
  private static final class StoreFailure extends RuntimeException {
    StoreFailure(SQLException cause) {
      super(cause);
    }
  }

  private ObjectNode model(Connection c) throws SQLException {
    return model(RecommendationStore.version(c));
  }

  private static ObjectNode model(RecommendationStore.Version v) {
    return JSON.createObjectNode().put("name", RecommendationTables.MODEL).put("events", v.events())
        .put("latest_event", v.latestEvent() == null ? null : v.latestEvent().toString());
  }

  private static ArrayNode items(List<Scoring.Scored> scored, boolean withScore) {
    ArrayNode items = JSON.createArrayNode();
    for (Scoring.Scored s : scored) {
      ObjectNode item = items.addObject().put("item_id", s.item()).put("item_type", s.type());
      if (withScore) {
        item.put("score", s.score());
      }
      item.put("because", s.because());
    }
    return items;
  }

  private String unavailable(SQLException e) {
    String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    if (message.contains("does not exist") || "42P01".equals(e.getSQLState())) {
      return "the store " + store.describe() + " has no recommendation tables yet; run"
          + " ./meshflow recommendations --sink=<this store> first";
    }
    return "the store " + store.describe() + " is unavailable (" + message + "); each request tries again";
  }

  private static void accept(Map<String, String> query, String... names) {
    Set<String> allowed = Set.of(names);
    for (String name : query.keySet()) {
      if (!allowed.contains(name)) {
        throw new Refused(400, "unknown parameter '" + name + "'"
            + (names.length == 0 ? "; this path takes none" : "; accepted: " + String.join(", ", names)));
      }
    }
  }

  private static int count(Map<String, String> query) {
    String n = query.get("n");
    if (n == null) {
      return 10;
    }
    try {
      int value = Integer.parseInt(n);
      if (value >= 1 && value <= MAX_N) {
        return value;
      }
    } catch (NumberFormatException notANumber) {
      // answered below
    }
    throw new Refused(400, "n must be a whole number from 1 to " + MAX_N);
  }

  private static String type(Map<String, String> query) {
    String type = query.get("type");
    if (type == null || type.equals("song") || type.equals("podcast")) {
      return type;
    }
    throw new Refused(400, "type must be song or podcast");
  }

  /** A genre as the item products name it (a song's genre, a podcast's topic), or null. */
  private static String genre(Map<String, String> query) {
    String genre = query.get("genre");
    if (genre != null && (genre.isBlank() || genre.length() > 64)) {
      throw new Refused(400, "genre must be a genre as the Songs product names it (pop, rock, jazz, ...)"
          + " or a podcast topic, at most 64 characters");
    }
    return genre;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (out.put(name, decode(eq < 0 ? "" : pair.substring(eq + 1))) != null) {
        throw new Refused(400, "parameter '" + name + "' is given twice");
      }
    }
    return out;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Refused(400, "the path or query is not valid percent-encoding");
    }
  }

  private static byte[] json(ObjectNode node) throws IOException {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
  }

  private static byte[] error(String message) throws IOException {
    return json(JSON.createObjectNode().put("error", message));
  }

  private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
