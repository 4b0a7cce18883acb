package dev.meshflow.pipelines.recommendations.serving;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.generator.Taste;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.domains.Change;
import dev.meshflow.io.mesh.domains.DomainDatabase;
import dev.meshflow.io.mesh.domains.DomainSimulator;
import dev.meshflow.io.mesh.domains.OutboxWriter;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.testing.services.RestartablePostgres;
import dev.meshflow.transforms.interactions.model.ValidEvents;
import dev.meshflow.transforms.recommendations.CatalogItem;
import dev.meshflow.transforms.recommendations.ListedUser;
import dev.meshflow.transforms.recommendations.Scoring;
import dev.meshflow.transforms.recommendations.model.RecommendationsModel;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The recommendations pipeline's batch backfill into a real PostgreSQL, then {@code serve} over
 * real HTTP: every user's list, every item's neighbours and the trending window are exactly what
 * {@link RecommendationsModel} gives for the same records; every reply is valid against the
 * served OpenAPI description, which lists exactly the routes the API serves; bad parameters get a
 * 400 that says what is wrong; and a store that stops gets 503s, then answers again once it is back.
 */
public class RecommendationApiTest {
  private static final int EVENTS = 3_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=5&taste=1&recs=1&items=60&users=40&eventsPerSecond=1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static final String TOPIC = "recs-api-events";
  private static Path dataDirectory;
  private static Path catalog;
  private static KafkaBroker kafka;
  private static RestartablePostgres postgres;
  private static RecommendationApi api;
  private static RecommendationsModel model;
  private static Map<String, JsonSchema> schemas;

  @BeforeAll
  static void backfillAndServe() throws Exception {
    dataDirectory = Files.createTempDirectory("meshflow-recs-pg");
    catalog = dataDirectory.resolveSibling(dataDirectory.getFileName() + "-catalog");
    MeshCatalog.init(catalog);
    kafka = KafkaBroker.shared();
    kafka.createTopic(TOPIC, 1);
    postgres = RestartablePostgres.start(dataDirectory);
    postgres.createDatabase("recs");
    postgres.createDatabase("empty");
    CliRun run = CliRun.of(List.of("recommendations", "--interactions=" + GENERATOR,
        "--sink=" + postgres.sinkUri("recs")));
    assertEquals(0, run.code, run.err);
    assertThat(run.out, containsString("conservation  read " + String.format("%,d", EVENTS)));

    model = RecommendationsModel.of(ValidEvents.of(GeneratedInput.records(GENERATOR, EVENTS)).chosen.values());
    // Neighbourhoods kept for a minute: every list below comes from kept seeds as much as read ones.
    api = RecommendationApi.start(Endpoints.sink(postgres.sinkUri("recs")), catalog, kafka.bootstrap(),
        TOPIC, "127.0.0.1", 0, 4, null, 60_000);
    schemas = schemas(get("/openapi.json").body());
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) {
      api.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  public void everyListIsTheModelsAndEveryReplyMatchesTheDescription() throws Exception {
    assertTrue(model.users().size() >= 30, "users expected: " + model.users());
    int fromCoListening = 0;
    for (String user : model.users()) {
      JsonNode reply = ok("/recommendations/" + user + "?n=10", "Recommendations");
      assertTrue(reply.get("known_user").asBoolean());
      ServedLists.assertItems(model.recommend(user, 10), reply.get("items"), user);
      fromCoListening += reply.get("items").get(0).get("because").asText().startsWith("because you played") ? 1 : 0;
    }
    assertTrue(fromCoListening > model.users().size() / 2, "most lists lead with a co-listened item: " + fromCoListening);
    String someone = model.users().iterator().next();
    ServedLists.assertItems(model.recommend(someone, "podcast", 5),
        ok("/recommendations/" + someone + "?n=5&type=podcast", "Recommendations").get("items"), someone);
    for (String item : model.plays().keySet()) {
      JsonNode reply = ok("/items/" + item + "/similar?n=10", "Similar");
      ServedLists.assertItems(Scoring.similar(item, null, 10, model), reply.get("items"), item);
    }

    long latestWindow = model.trending().lastKey();
    List<Map.Entry<String, Long>> top = model.trending().get(latestWindow).entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(10).toList();
    JsonNode trending = ok("/trending?n=10", "Trending");
    assertEquals(Instant.ofEpochMilli(latestWindow).toString(), trending.get("window_start").asText());
    List<String> shown = new ArrayList<>();
    trending.get("items").forEach(i -> shown.add(i.get("item_id").asText() + "=" + i.get("plays").asLong()));
    assertEquals(top.stream().map(e -> e.getKey() + "=" + e.getValue()).toList(), shown);

    // A user never seen gets what is trending now, not an error.
    JsonNode stranger = ok("/recommendations/nobody-at-all?n=10", "Recommendations");
    assertFalse(stranger.get("known_user").asBoolean());
    List<String> trendingIds = new ArrayList<>();
    stranger.get("items").forEach(i -> trendingIds.add(i.get("item_id").asText()));
    assertEquals(top.stream().map(Map.Entry::getKey).toList(), trendingIds);

    JsonNode modelState = ok("/health", "Health").get("model");
    assertEquals(model.events(), modelState.get("events").asLong(), "plays and skips learned from");
    assertEquals(Instant.ofEpochMilli(model.latestEvent()).toString(), modelState.get("latest_event").asText());
  }

  /**
   * The Songs, Podcasts and Users products decide what may be recommended. The domains start with
   * the generator's items and users, then make 400 seeded changes: genres and countries change,
   * new releases appear (never played: cold items), new users sign up (cold users), songs, episodes
   * and users are deleted. A backfill with {@code --items} and {@code --users} (under a grant the
   * users domain approves) reads each domain's table; the API then serves the model's lists, with
   * the products, for every user, every item (a new release's similar items by artist and genre),
   * trending by genre, every new user (what listeners in their country play) and a stranger
   * (trending, with the genre as its reason); a deleted item that the lists held before is in none
   * of them.
   */
  @Test
  public void theProductsDecideWhatIsRecommended() throws Exception {
    MeshCatalog open = MeshCatalog.open(catalog);
    List<DataContract> domains = List.of("users", "songs", "podcasts").stream().map(open::product).toList();
    String domainDb = Postgres.newDatabase("recs_domains"); // the shared server: domains need logical WAL
    DomainSimulator simulator = new DomainSimulator(3, new DomainSimulator.Sizes(40, 48, 12));
    try (Connection c = Postgres.connect(domainDb)) {
      DomainDatabase.create(c, domains);
      OutboxWriter writer = new OutboxWriter(c, domains, open.registry());
      writer.write(simulator.initial());
      List<Change> changes = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        changes.add(simulator.next());
      }
      writer.write(changes);
    }
    List<CatalogItem> truth = new ArrayList<>();
    simulator.entities("songs").forEach((id, row) -> truth.add(new CatalogItem(id, "song",
        (String) row.get("artist"), (String) row.get("genre"), false)));
    simulator.entities("podcasts").forEach((id, row) -> truth.add(new CatalogItem(id, "podcast",
        (String) row.get("show"), (String) row.get("topic"), false)));
    List<ListedUser> listed = new ArrayList<>();
    simulator.entities("users").forEach((id, row) -> listed.add(new ListedUser(id, (String) row.get("country"),
        (String) row.get("tier"), false)));

    // Users hold personal data: the recommender reads them only once the users domain approves.
    String db = "&db=" + URLEncoder.encode(Postgres.sinkUri(domainDb), StandardCharsets.UTF_8);
    List<String> backfill = List.of("recommendations", "--interactions=" + GENERATOR,
        "--items=mesh://songs?catalog=" + catalog + db + ",mesh://podcasts?catalog=" + catalog + db,
        "--users=mesh://users?catalog=" + catalog + db, "--sink=" + postgres.sinkUri("recs_items"));
    postgres.createDatabase("recs_items");
    CliRun refused = CliRun.of(backfill);
    assertEquals(3, refused.code, refused.err);
    assertThat(refused.err, containsString("users"));
    try (Connection c = postgres.connect("recs_items");
        java.sql.ResultSet tables = c.getMetaData().getTables(null, null, "rec_%", null)) {
      assertFalse(tables.next(), "a refused run writes nothing");
    }
    CliRun request = CliRun.of(List.of("access", "request", "--domain=recommendations", "--product=users",
        "--purpose=cold start by country", "--catalog=" + catalog));
    assertEquals(0, request.code, request.err);
    String grant = request.out.substring(0, request.out.indexOf(':'));
    CliRun approve = CliRun.of(List.of("access", "approve", grant, "--as=users", "--catalog=" + catalog));
    assertEquals(0, approve.code, approve.err);
    CliRun run = CliRun.of(backfill);
    assertEquals(0, run.code, run.err);
    RecommendationsModel withItems = RecommendationsModel.of(
        ValidEvents.of(GeneratedInput.records(GENERATOR, EVENTS)).chosen.values()).withCatalog(truth).withUsers(listed);

    Set<String> gone = new TreeSet<>(withItems.plays().keySet());
    gone.removeIf(withItems::available);
    assertFalse(gone.isEmpty(), "some played items were deleted by their domains");
    Set<String> listedBefore = new TreeSet<>();
    model.users().forEach(u -> model.recommend(u, 10).forEach(s -> listedBefore.add(s.item())));
    listedBefore.retainAll(gone);
    assertFalse(listedBefore.isEmpty(), "a deleted item was in the lists before: " + gone);
    Set<String> cold = new TreeSet<>(withItems.catalog().keySet());
    cold.removeAll(withItems.plays().keySet());
    assertFalse(cold.isEmpty(), "new releases nobody has played");

    try (RecommendationApi catalogued = RecommendationApi.start(Endpoints.sink(postgres.sinkUri("recs_items")),
        catalog, null, null, "127.0.0.1", 0, 2)) {
      String url = catalogued.url();
      ServedLists.assertEveryListIsTheModels(url, withItems);
      Set<String> served = new TreeSet<>();
      int byContent = 0;
      for (String user : withItems.users()) {
        JsonNode items = ServedLists.ok(url + "/recommendations/" + user + "?n=40").get("items");
        ServedLists.assertItems(withItems.recommend(user, 40), items, user);
        for (JsonNode item : items) {
          served.add(item.get("item_id").asText());
          byContent += item.get("because").asText().startsWith("same ") ? 1 : 0;
        }
      }
      served.retainAll(gone);
      assertEquals(Set.of(), served, "deleted items are never recommended");
      assertTrue(byContent > 0, "long lists are filled by artist and genre");
      for (String item : cold) {
        JsonNode similar = ServedLists.ok(url + "/items/" + item + "/similar?n=5").get("items");
        assertFalse(similar.isEmpty(), item + " is a new release with similar items by content");
        assertThat(similar.get(0).get("because").asText(), containsString("same "));
      }
      HttpResponse<String> deleted = ServedLists.get(url + "/items/" + gone.iterator().next() + "/similar");
      assertEquals(404, deleted.statusCode());
      assertThat(deleted.body(), containsString("is no longer recommended"));

      for (String genre : Taste.GENRES) {
        Map.Entry<Long, List<Scoring.Scored>> expected = withItems.trending(10, null, genre);
        JsonNode reply = ServedLists.ok(url + "/trending?n=10&genre=" + genre);
        assertTrue(schemas.get("Trending").validate(reply).isEmpty(), reply.toString());
        List<String> shown = new ArrayList<>();
        reply.get("items").forEach(i -> shown.add(i.get("item_id").asText() + "=" + i.get("plays").asLong()
            + "/" + i.get("genre").asText()));
        assertEquals(expected.getValue().stream().map(e -> e.item() + "=" + (long) e.score() + "/" + genre).toList(),
            shown, genre);
        assertEquals(expected.getKey() == null ? "null" : Instant.ofEpochMilli(expected.getKey()).toString(),
            reply.get("window_start").asText(), genre);
      }
      JsonNode stranger = ServedLists.ok(url + "/recommendations/nobody-at-all?n=10").get("items");
      List<Scoring.Scored> trending = withItems.trending(10, null, null).getValue();
      assertEquals(trending.stream().map(t -> t.item() + " " + t.because()).toList(),
          java.util.stream.StreamSupport.stream(stranger.spliterator(), false)
              .map(i -> i.get("item_id").asText() + " " + i.get("because").asText()).toList());
      assertThat(stranger.get(0).get("because").asText(), containsString("trending in "));

      int byCountry = 0;
      for (ListedUser user : listed) {
        if (withItems.users().contains(user.user())) {
          continue;
        }
        JsonNode items = ServedLists.ok(url + "/recommendations/" + user.user() + "?n=10").get("items");
        assertEquals(withItems.recommendNew(user.user(), null, 10).stream().map(t -> t.item() + " " + t.because())
                .toList(),
            java.util.stream.StreamSupport.stream(items.spliterator(), false)
                .map(i -> i.get("item_id").asText() + " " + i.get("because").asText()).toList(), user.user());
        byCountry += items.get(0).get("because").asText().equals(user.reason()) ? 1 : 0;
      }
      assertTrue(byCountry > 0, "new users get what listeners in their country play");
    }
  }

  @Test
  public void theDescriptionListsExactlyTheRoutesTheApiServes() throws Exception {
    JsonNode doc = JSON.readTree(get("/openapi.json").body());
    Set<String> described = new TreeSet<>();
    doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
      List<String> query = new ArrayList<>();
      JsonNode parameters = op.getValue().path("parameters");
      parameters.forEach(p -> {
        JsonNode resolved = resolve(doc, p);
        if (resolved.get("in").asText().equals("query")) {
          query.add(resolved.get("name").asText());
        }
      });
      described.add(op.getKey().toUpperCase() + " " + path.getKey() + " " + query);
    }));
    Set<String> served = new TreeSet<>();
    RecommendationApi.ROUTES.forEach(r -> served.add(r.method() + " " + r.path() + " " + r.query()));
    assertEquals(served, described);
  }

  private static JsonNode resolve(JsonNode doc, JsonNode node) {
    if (!node.has("$ref")) {
      return node;
    }
    return doc.at(node.get("$ref").asText().substring(1));
  }

  @Test
  public void badRequestsSayWhatIsWrong() throws Exception {
    assertError("/recommendations/u?n=0", 400, "n must be a whole number from 1 to 100");
    assertError("/recommendations/u?n=ten", 400, "n must be a whole number from 1 to 100");
    assertError("/trending?n=101", 400, "n must be a whole number from 1 to 100");
    assertError("/trending?type=video", 400, "type must be song or podcast");
    assertError("/trending?genre=jazz", 400, "genre: the store knows no genres yet");
    assertError("/trending?v=1", 400, "unknown parameter 'v'; accepted: n, type, genre");
    assertError("/trending?n=1&n=2", 400, "parameter 'n' is given twice");
    assertError("/health?x=1", 400, "unknown parameter 'x'; this path takes none");
    assertError("/items/no-such-item/similar", 404, "no item 'no-such-item' has been played");
    assertError("/users", 404, "no such path");
    HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(api.url() + "/trending")).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
    assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
  }

  @Test
  public void aStoreThatIsAwayOrEmptyAnswers503AndTheApiRecoversWhenItIsBack() throws Exception {
    try (RecommendationApi empty = RecommendationApi.start(Endpoints.sink(postgres.sinkUri("empty")), catalog, null, null,
        "127.0.0.1", 0, 2)) {
      HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(URI.create(empty.url() + "/trending")).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(503, reply.statusCode());
      assertThat(reply.body(), containsString("has no recommendation tables yet; run ./meshflow recommendations"));
    }
    ok("/health", "Health"); // a pooled connection now exists, and will break
    postgres.stop();
    try {
      assertError("/health", 503, "is unavailable");
      assertError("/recommendations/" + model.users().iterator().next(), 503, "each request tries again");
    } finally {
      postgres.start();
    }
    Await.until("the API to answer again", Duration.ofSeconds(30), () -> get("/health").statusCode(), s -> s == 200);
    ok("/recommendations/" + model.users().iterator().next(), "Recommendations");
  }

  /**
   * The served-lists log while its broker is away: every list is still served at once (the log
   * never holds up a reply), and the lists served meanwhile reach the topic, each once by its
   * served id, when the broker is back.
   */
  @Test
  public void servedListsWaitForTheirBrokerAndNeverHoldUpAList() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-served-broker");
    int port = freePort();
    int controllerPort = freePort();
    KafkaBroker broker = KafkaBroker.start(dir, port, controllerPort);
    broker.createTopic("served", 1);
    String user = model.users().iterator().next();
    List<String> servedIds = new java.util.ArrayList<>();
    try (RecommendationApi logging = RecommendationApi.start(Endpoints.sink(postgres.sinkUri("recs")), catalog, null,
        null, "127.0.0.1", 0, 2, "kafka://" + broker.bootstrap() + "/served", 500)) {
      java.util.function.Supplier<HttpResponse<String>> list = () -> {
        try {
          return HTTP.send(HttpRequest.newBuilder(URI.create(logging.url() + "/recommendations/" + user))
              .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      };
      servedIds.add(JSON.readTree(list.get().body()).get("served_id").asText());
      Await.until("the first list published", Duration.ofSeconds(30), () -> logging.servedListCounts()[0], n -> n == 1);

      broker.stop();
      for (int i = 0; i < 20; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> reply = list.get();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, reply.statusCode(), reply.body());
        assertTrue(millis < 2_000, "a list served while the broker is away took " + millis + " ms");
        servedIds.add(JSON.readTree(reply.body()).get("served_id").asText());
      }
      assertEquals(1, logging.servedListCounts()[0], "nothing published while the broker is away");

      broker = KafkaBroker.start(dir, port, controllerPort);
      Await.until("the lists served meanwhile published", Duration.ofSeconds(90),
          () -> List.of(logging.servedListCounts()[0], logging.servedListCounts()[1]), n -> n.equals(List.of(21L, 0L)));
      java.util.Set<String> onTheTopic = new java.util.HashSet<>();
      for (String[] record : broker.consume("served", 21, Duration.ofSeconds(60))) {
        assertEquals(user, record[0], "keyed by user");
        onTheTopic.add(JSON.readTree(record[1]).get("served_id").asText());
      }
      assertEquals(new java.util.HashSet<>(servedIds), onTheTopic);
    } finally {
      broker.stop();
    }
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * {@code POST /events}: a valid play reaches the Interactions product's topic as the contract's
   * JSON line before the 202; an event that breaks the contract gets a 422 naming each field and
   * rule, and nothing is published; malformed JSON, a list and a GET get 400s and a 405.
   */
  @Test
  public void postedEventsAreCheckedAgainstTheContractAndPublished() throws Exception {
    String play = "{\"event_id\":\"api-ev-1\",\"ts\":\"2026-03-08T07:30:00Z\",\"user_id\":\"user-7\","
        + "\"item_id\":\"song-0011\",\"item_type\":\"song\",\"event_type\":\"play\",\"device\":\"web\"}";
    HttpResponse<String> published = post("/events", play);
    assertEquals(202, published.statusCode(), published.body());
    JsonNode reply = JSON.readTree(published.body());
    assertTrue(schemas.get("Published").validate(reply).isEmpty(), reply.toString());
    assertEquals("api-ev-1", reply.get("event_id").asText());
    assertEquals(TOPIC, reply.get("topic").asText());
    List<String> onTopic = topic();
    assertEquals(1, onTopic.size(), onTopic.toString());
    assertEquals("api-ev-1", JSON.readTree(onTopic.get(0)).get("event_id").asText());

    HttpResponse<String> refused = post("/events", "{\"event_id\":\"api-ev-2\",\"ts\":\"yesterday\","
        + "\"item_id\":\"song-1\",\"item_type\":\"song\",\"event_type\":\"dance\"}");
    assertEquals(422, refused.statusCode(), refused.body());
    JsonNode why = JSON.readTree(refused.body());
    assertTrue(schemas.get("Refused").validate(why).isEmpty(), why.toString());
    Set<String> fields = new TreeSet<>();
    why.get("violations").forEach(v -> fields.add(v.get("field").asText()));
    assertEquals(Set.of("user_id", "ts", "event_type"), fields, why.toString());
    assertEquals(1, topic().size(), "nothing of a refused event is published");

    assertThat(post("/events", "{\"event_id\":").body(), containsString("malformed JSON at line 1"));
    assertEquals(400, post("/events", "[" + play + "]").statusCode());
    assertError("/events", 405, "use POST");
    try (RecommendationApi noCatalog = RecommendationApi.start(Endpoints.sink(postgres.sinkUri("recs")),
        catalog.resolveSibling("no-such-catalog"), kafka.bootstrap(), TOPIC, "127.0.0.1", 0, 1)) {
      HttpResponse<String> away = HTTP.send(HttpRequest.newBuilder(URI.create(noCatalog.url() + "/events")).timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(play)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, away.statusCode());
      assertThat(away.body(), containsString("./meshflow catalog init"));
    }
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Every record on the events topic, as text. */
  private static List<String> topic() {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrap());
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
      TopicPartition partition = new TopicPartition(TOPIC, 0);
      c.assign(List.of(partition));
      c.seekToBeginning(List.of(partition));
      long end = c.endOffsets(List.of(partition)).get(partition);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (c.position(partition) < end && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    return out;
  }

  private static void assertError(String path, int status, String message) throws Exception {
    HttpResponse<String> reply = get(path);
    assertEquals(status, reply.statusCode(), path + ": " + reply.body());
    JsonNode body = JSON.readTree(reply.body());
    assertThat(path, body.get("error").asText(), containsString(message));
    assertTrue(schemas.get("Error").validate(body).isEmpty(), path + ": " + body);
  }

  private static JsonNode ok(String path, String schema) throws Exception {
    HttpResponse<String> reply = get(path);
    assertEquals(200, reply.statusCode(), path + ": " + reply.body());
    JsonNode body = JSON.readTree(reply.body());
    Set<ValidationMessage> problems = schemas.get(schema).validate(body);
    assertTrue(problems.isEmpty(), path + " does not match " + schema + ": " + problems);
    return body;
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Each component schema of the served description, its references resolved within it. */
  private static Map<String, JsonSchema> schemas(String openApi) throws Exception {
    JsonNode doc = JSON.readTree(openApi);
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    Map<String, JsonSchema> out = new java.util.HashMap<>();
    Set<String> names = new HashSet<>();
    doc.get("components").get("schemas").fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      ObjectNode schema = JSON.createObjectNode();
      schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
      schema.put("$ref", "#/components/schemas/" + name);
      schema.set("components", doc.get("components"));
      out.put(name, factory.getSchema(schema));
    }
    return out;
  }
}
