package dev.meshflow.pipelines.recommendations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.domains.Change;
import dev.meshflow.io.mesh.domains.DomainDatabase;
import dev.meshflow.io.mesh.domains.DomainSimulator;
import dev.meshflow.io.mesh.domains.OutboxWriter;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.pipelines.recommendations.serving.RecommendationApi;
import dev.meshflow.pipelines.recommendations.serving.ServedLists;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.JavaCommand;
import dev.meshflow.testing.RecommendationStores;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.CdcRelay;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.model.ValidEvents;
import dev.meshflow.transforms.recommendations.CatalogItem;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import dev.meshflow.transforms.recommendations.Scoring;
import dev.meshflow.transforms.recommendations.model.RecommendationsModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code recommendations} in streaming from a real Kafka topic into PostgreSQL, on the Direct and
 * Flink runners, with {@code ./meshflow serve} answering from the store:
 *
 * <ul>
 *   <li>a replay of the topic's backlog ({@code until=caughtUp}) ends with exactly the store a batch
 *       backfill of the same topic writes, the API serves the reference model's list for every user
 *       and neighbours for every item, and (on Flink) a second replay into the same store changes
 *       no row;
 *   <li>a live job (on Flink), started on a batch backfill's store as a user starts, learns from a
 *       play posted to {@code POST /events} within seconds:
 *       that user's list becomes, item for item, the model's list after that play (the item left
 *       out, its neighbours in); and it follows the Songs and Podcasts products' changelogs (the
 *       domains' outboxes through the change-capture relay): a song its domain deletes leaves
 *       the list within seconds, and the next item takes its place, as the model says.
 * </ul>
 *
 * The input plants co-listening, duplicates, malformed records and out-of-order events; the
 * watermark trails each partition by a day, so nothing is late and streaming must equal batch.
 */
public class RecommendationsStreamingKafkaTest {
  private static final int EVENTS = 2_000;
  private static final int PARTITIONS = 2;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=23&taste=1&recs=1&items=60&users=40&eventsPerSecond=1"
      + "&duplicates=0.03&malformed=0.02&outOfOrder=0.3&late=0";
  private static final String BACKLOG = "recs-backlog";

  private static KafkaBroker kafka;
  private static List<InteractionEvent> valid;
  private static RecommendationsModel model;
  private static ValidEvents expected;
  private static Map<String, List<String>> backfill;
  private static String backfillDb;

  @TempDir Path tmp;

  /** The planted input on a topic, and the store a batch backfill of that topic writes. */
  @BeforeAll
  static void backlogAndBackfill() throws Exception {
    kafka = KafkaBroker.shared();
    kafka.createTopic(BACKLOG, PARTITIONS);
    kafka.produceEvenly(BACKLOG, GeneratedInput.records(GENERATOR, EVENTS, (origin, payload) -> payload), PARTITIONS);
    expected = ValidEvents.of(GeneratedInput.records(GENERATOR, EVENTS));
    valid = List.copyOf(expected.chosen.values());
    model = RecommendationsModel.of(valid);
    assertTrue(expected.duplicates > 0 && !expected.deadLetters.isEmpty(), "the input plants duplicates and malformed records");

    backfillDb = Postgres.newDatabase("recs_backfill");
    PipelineResult batch = run("DirectRunner", "--interactions=" + topic(BACKLOG) + "?maxRecords=" + EVENTS,
        "--sink=" + Postgres.sinkUri(backfillDb));
    assertEquals(PipelineResult.State.DONE, batch.waitUntilFinish());
    assertConserved(batch);
    backfill = RecommendationStores.dump(Tables.postgres(backfillDb));
  }

  @ParameterizedTest
  @ValueSource(strings = {"DirectRunner", "FlinkRunner"})
  public void aReplayedBacklogEndsWithTheBackfillsStoreServesTheModelAndOnFlinkAgainChangesNothing(String runner)
      throws Exception {
    String db = Postgres.newDatabase("recs_replay");
    Tables tables = Tables.postgres(db);
    String replay = topic(BACKLOG) + "?until=caughtUp&maxDelaySeconds=86400";
    PipelineResult first = run(runner, "--interactions=" + replay, "--sink=" + tables.sinkUri(), "--streaming=true");
    assertEquals(PipelineResult.State.DONE, first.waitUntilFinish());
    assertConserved(first);
    RecommendationStores.assertSame(backfill, RecommendationStores.dump(tables));

    try (RecommendationApi api = RecommendationApi.start(Endpoints.sink(tables.sinkUri()), null, null, null,
        "127.0.0.1", 0, 2)) {
      ServedLists.assertEveryListIsTheModels(api.url(), model);
    }

    if (runner.equals("DirectRunner")) {
      return; // the second replay's upserts are the same code on both runners; Direct costs CI 25 s more
    }
    PipelineResult again = run(runner, "--interactions=" + replay, "--sink=" + tables.sinkUri(), "--streaming=true");
    assertEquals(PipelineResult.State.DONE, again.waitUntilFinish());
    assertTrue(RunCounts.of(again).rowsWritten().values().stream().mapToLong(Long::longValue).sum() > 0,
        "the replay wrote its rows again");
    RecommendationStores.assertSame(backfill, RecommendationStores.dump(tables));
  }

  /**
   * On Flink only: the Direct runner takes this path too (the replay above), but learning a live
   * backlog key by key costs it 80 s of CI for what 40 s on Flink shows.
   */
  @Test
  public void aPostedPlayAndADeletedSongReachTheListWithinSeconds() throws Exception {
    String runner = "FlinkRunner";
    String live = "recs-live-" + runner;
    kafka.createTopic(live, PARTITIONS);
    kafka.produceEvenly(live, GeneratedInput.records(GENERATOR, EVENTS, (origin, payload) -> payload), PARTITIONS);
    Path catalog = TempFiles.newFolder(tmp, "catalog");
    MeshCatalog.init(catalog);
    MeshCatalog open = MeshCatalog.open(catalog);
    // History first, as a user starts: the live job takes over the batch backfill's store (the
    // same records), and its rows must replace the backfill's: a later run's totals win.
    Tables tables = Tables.postgres(backfillDb);

    // The Songs and Podcasts domains hold the generator's 60 items, published through the relay.
    List<DataContract> domains = List.of("users", "songs", "podcasts").stream().map(open::product).toList();
    String domainDb = Postgres.newDatabase("recs_live_domains");
    DomainSimulator simulator = new DomainSimulator(5, new DomainSimulator.Sizes(40, 48, 12));
    String prefix = "recs-live.";
    Connection domainConnection = Postgres.connect(domainDb);
    DomainDatabase.create(domainConnection, domains);
    OutboxWriter outbox = new OutboxWriter(domainConnection, domains, open.registry());
    outbox.write(simulator.initial());
    List<CatalogItem> truth = new ArrayList<>();
    simulator.entities("songs").forEach((id, row) -> truth.add(new CatalogItem(id, "song",
        (String) row.get("artist"), (String) row.get("genre"), false)));
    simulator.entities("podcasts").forEach((id, row) -> truth.add(new CatalogItem(id, "podcast",
        (String) row.get("show"), (String) row.get("topic"), false)));
    CdcRelay relay = CdcRelay.start(Postgres.sinkUri(domainDb), kafka.bootstrap(), TempFiles.newFolder(tmp, "relay"),
        prefix);
    String items = "mesh://songs?catalog=" + catalog + "&bootstrap=" + kafka.bootstrap() + "&topic=" + prefix
        + "songs,mesh://podcasts?catalog=" + catalog + "&bootstrap=" + kafka.bootstrap() + "&topic=" + prefix
        + "podcasts";
    // The launcher in a JVM of its own, as a user runs it: an embedded Flink stream holds its caller.
    Path log = TempFiles.newFile(tmp, "live.log");
    List<String> command = new ArrayList<>(List.of("-Xmx1g"));
    command.addAll(JavaCommand.QUICK_START);
    Process job = new ProcessBuilder(JavaCommand.of(command, "dev.meshflow.launcher.Main", List.of("recommendations",
        "--runner=" + runner, "--interactions=" + topic(live) + "?maxDelaySeconds=86400", "--sink=" + tables.sinkUri(),
        "--items=" + items, "--streaming=true", "--updateInterval=1s", "--progressSeconds=0")))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try (RecommendationApi api = RecommendationApi.start(Endpoints.sink(tables.sinkUri()), catalog, kafka.bootstrap(),
        live, "127.0.0.1", 0, 2)) {
      // Learned: every running total rewritten by the live job, and the backfill's tables again
      // (while it replays the backlog, its partial totals replace the backfill's rows). Equal
      // tables alone also hold before a writer's first batch (CI once read the model's version as
      // new while the co-listening rows were still the backfill's, then served partial totals).
      // Its dead letters come from another topic, so they are rows of their own.
      long backfillVersion = newestVersion(tables);
      Map<String, List<String>> learnedTables = new LinkedHashMap<>(backfill);
      learnedTables.remove("dead_letter");
      Await.until("the backlog learned by the live job", Duration.ofMinutes(3), () -> {
        assertTrue(job.isAlive(), () -> "the job ended:\n" + tail(log));
        Map<String, List<String>> now = RecommendationStores.dump(tables);
        now.remove("dead_letter");
        return rowsNotRewrittenSince(tables, backfillVersion) == 0 && now.equals(learnedTables);
      }, learned -> learned);
      Await.until("the items published", Duration.ofMinutes(1),
          () -> tables.count("SELECT count(*) FROM " + RecommendationTables.ITEMS), n -> n == truth.size());
      ServedLists.assertEveryListIsTheModels(api.url(), RecommendationsModel.of(valid).withCatalog(truth));

      // The user's top pick, played now (a live play: an idle topic's watermark is wall-clock time
      // less maxDelaySeconds, so a play stamped in the backlog's March would be late): left out
      // from then on, and a seed of the user's next list, so its neighbours come in.
      String user = model.users().iterator().next();
      List<Scoring.Scored> before = model.recommend(user, 10);
      Scoring.Scored played = before.get(0);
      long at = System.currentTimeMillis();
      RecommendationsModel after = RecommendationsModel.of(valid).withCatalog(truth);
      after.play(user, played.item(), played.type(), at);
      List<Scoring.Scored> wanted = after.recommend(user, 10);
      assertNotEquals(before, wanted);
      assertFalse(wanted.stream().anyMatch(s -> s.item().equals(played.item())));

      long posted = System.nanoTime();
      assertEquals(202, ServedLists.post(api.url() + "/events", "{\"event_id\":\"posted-1\",\"ts\":\""
          + Instant.ofEpochMilli(at) + "\",\"user_id\":\"" + user + "\",\"item_id\":\"" + played.item()
          + "\",\"item_type\":\"" + played.type() + "\",\"event_type\":\"play\",\"device\":\"web\"}").statusCode());
      try {
        Await.until(user + "'s list after the posted play", Duration.ofSeconds(60),
            () -> ServedLists.serves(api.url(), user, wanted), served -> served);
      } catch (AssertionError e) {
        System.out.println("wanted " + wanted + "\nserved " + ServedLists.get(api.url() + "/recommendations/" + user
            + "?n=10").body() + "\nstate " + tables.dump("SELECT * FROM "
            + RecommendationTables.MODEL_STATE) + "\ndead letters "
            + tables.dump("SELECT stage, count(*) FROM dead_letter GROUP BY stage") + "\n" + tail(log));
        throw e;
      }
      System.out.printf("recommendations %s: a posted play was in the user's list after %d ms%n", runner,
          (System.nanoTime() - posted) / 1_000_000);

      // The Songs domain deletes the first song of that list: it leaves, and the next one moves up.
      String song = wanted.stream().filter(s -> s.type().equals("song")).findFirst().orElseThrow().item();
      after.withCatalog(List.of(new CatalogItem(song, "song", null, null, true)));
      List<Scoring.Scored> withoutIt = after.recommend(user, 10);
      assertFalse(withoutIt.stream().anyMatch(s -> s.item().equals(song)));
      long deleted = System.nanoTime();
      outbox.write(List.of(new Change(UUID.randomUUID(), "songs", Change.DELETED, song, null)));
      Await.until(user + "'s list after " + song + " was deleted", Duration.ofSeconds(60),
          () -> ServedLists.serves(api.url(), user, withoutIt), served -> served);
      System.out.printf("recommendations %s: a deleted song left the user's list %d ms after the commit%n", runner,
          (System.nanoTime() - deleted) / 1_000_000);
      assertEquals(404, ServedLists.get(api.url() + "/items/" + song + "/similar").statusCode());
    } finally {
      job.destroyForcibly();
      job.waitFor();
      relay.close();
      domainConnection.close();
    }
  }

  /**
   * Online evaluation, live on Direct (in this JVM) and on Flink (the launcher in a JVM of its own,
   * as a user runs it): the API logs each list it serves to a topic; three users then play (through
   * {@code POST /events}) the second item of their list, three an item outside it; the job judges
   * each list, by its served id, as planted.
   */
  @ParameterizedTest
  @ValueSource(strings = {"DirectRunner", "FlinkRunner"})
  public void eachServedListIsJudgedByWhatItsUserPlaysNext(String runner) throws Exception {
    String plays = "recs-online-plays-" + runner;
    String served = "recs-online-served-" + runner;
    kafka.createTopic(plays, 1);
    kafka.createTopic(served, 1);
    Path catalog = TempFiles.newFolder(tmp, "catalog");
    MeshCatalog.init(catalog);
    Tables tables = Tables.postgres(Postgres.newDatabase("recs_online"));
    String live = "?maxDelaySeconds=1&idleSeconds=1";
    List<String> args = List.of("--interactions=" + topic(plays) + live, "--servedLists=" + topic(served) + live,
        "--sink=" + tables.sinkUri(), "--streaming=true", "--evaluationWindow=3s", "--allowedLateness=0s");
    Path log = TempFiles.newFile(tmp, "online.log");
    PipelineResult inThisJvm = runner.equals("DirectRunner") ? run(runner, args.toArray(String[]::new)) : null;
    // An embedded Flink stream holds its caller: the launcher runs it in a JVM of its own.
    Process launcher = inThisJvm != null ? null : new ProcessBuilder(JavaCommand.of(
        new ArrayList<>(JavaCommand.QUICK_START), "dev.meshflow.launcher.Main", java.util.stream.Stream.concat(
            java.util.stream.Stream.of("recommendations", "--runner=" + runner, "--progressSeconds=0"), args.stream())
            .toList())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    // Lists come from the backfill's store; plays and served lists go to the job's topics.
    try (RecommendationApi api = RecommendationApi.start(Endpoints.sink(Postgres.sinkUri(backfillDb)), catalog,
        kafka.bootstrap(), plays, "127.0.0.1", 0, 2, topic(served), 500)) {
      List<String> users = model.users().stream().sorted().limit(6).toList();
      Map<String, String> servedIds = new LinkedHashMap<>();
      Map<String, List<String>> lists = new LinkedHashMap<>();
      for (String user : users) {
        com.fasterxml.jackson.databind.JsonNode reply = new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(ServedLists.get(api.url() + "/recommendations/" + user + "?n=10").body());
        servedIds.put(user, reply.get("served_id").asText());
        List<String> items = new ArrayList<>();
        reply.get("items").forEach(i -> items.add(i.get("item_id").asText()));
        lists.put(user, items);
      }
      Map<String, String> expected = new LinkedHashMap<>();
      for (int u = 0; u < users.size(); u++) {
        String user = users.get(u);
        List<String> list = lists.get(user);
        String item = u < 3 ? list.get(1) : lists.values().stream().flatMap(List::stream)
            .filter(i -> !list.contains(i)).findFirst().orElseThrow();
        // A moment after the list was served, as a listener plays.
        String at = Instant.ofEpochMilli(System.currentTimeMillis() + 5).toString();
        assertEquals(202, ServedLists.post(api.url() + "/events", "{\"event_id\":\"online-" + u + "\",\"ts\":\""
            + at + "\",\"user_id\":\"" + user + "\",\"item_id\":\"" + item + "\",\"item_type\":\""
            + (item.startsWith("song") ? "song" : "podcast") + "\",\"event_type\":\"play\",\"device\":\"web\"}")
            .statusCode());
        expected.put(servedIds.get(user), user + (u < 3 ? " hit 2" : " miss -") + " 1");
      }
      List<String> judged = Await.until("the six served lists judged", Duration.ofSeconds(90),
          () -> {
            assertTrue(launcher == null || launcher.isAlive(), () -> "the job ended:\n" + tail(log));
            return tables.dump("SELECT served_id, user_id, hit, hit_rank, plays_after FROM "
              + RecommendationTables.ONLINE_EVALUATION + " ORDER BY user_id");
          }, rows -> rows.size() == 6);
      Map<String, String> seen = new LinkedHashMap<>();
      for (String row : judged) {
        String[] f = row.split("\\|", -1);
        seen.put(f[0], f[1] + " " + (f[2].equals("true") ? "hit " + f[3] : "miss -") + " "
            + f[4]);
      }
      assertEquals(expected, seen);
      assertEquals(6, api.servedListCounts()[0], "every list served was published");

      // The dashboard's online hit rate, over this run's table: three hits of six lists.
      dev.meshflow.io.TableSink warehouse = Endpoints.sink(tables.sinkUri());
      try (var dashboard = dev.meshflow.pipelines.dashboard.DashboardServer.start(warehouse::openReadOnly,
          warehouse.describe(), tmp.resolve("lineage.jsonl"), catalog, "127.0.0.1", 0, Duration.ofSeconds(60))) {
        com.fasterxml.jackson.databind.JsonNode online = new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(ServedLists.get(dashboard.url() + "api/snapshot").body()).path("models").path("online");
        long listsShown = 0;
        long hitsShown = 0;
        for (com.fasterxml.jackson.databind.JsonNode minute : online) {
          listsShown += minute.path("lists").asLong();
          hitsShown += minute.path("hits").asLong();
        }
        assertEquals(List.of(6L, 3L), List.of(listsShown, hitsShown), "lists and hits per minute on the dashboard: " + online);
      }
    } finally {
      if (inThisJvm != null) {
        inThisJvm.cancel();
      } else {
        launcher.destroyForcibly().waitFor();
      }
    }
  }

  private static String tail(Path log) {
    try {
      String s = Files.readString(log);
      return s.length() < 3000 ? s : s.substring(s.length() - 3000);
    } catch (java.io.IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static String topic(String name) {
    return "kafka://" + kafka.bootstrap() + "/" + name;
  }

  private static PipelineResult run(String runner, String... args) {
    return RecommendationsPipeline.run(PipelineOptionsFactory.fromArgs(RunnerArgs.asTheLauncherRuns(runner, args))
        .as(RecommendationsPipeline.Options.class));
  }

  private static void assertConserved(PipelineResult result) {
    RunCounts counts = RunCounts.of(result);
    assertEquals(EVENTS, counts.read());
    assertEquals(valid.size(), counts.valid());
    assertEquals(expected.duplicates, counts.duplicates());
    assertEquals(expected.deadLetters.size(), counts.deadLetters());
    assertTrue(counts.conserved(Conservation.aggregated()), "read = valid + duplicates + dead letters: " + counts);
  }

  /** The running totals' tables, whose rows carry their run's version (StoreRows.runVersion). */
  private static final List<String> RUNNING_TOTALS = List.of(RecommendationTables.CO_LISTENS,
      RecommendationTables.ITEM_PLAYS, RecommendationTables.USER_HISTORY, RecommendationTables.MODEL_STATE);

  private static long newestVersion(Tables tables) throws Exception {
    long newest = Long.MIN_VALUE;
    for (String table : RUNNING_TOTALS) {
      newest = Math.max(newest, tables.count("SELECT max(pane_index) FROM " + table));
    }
    return newest;
  }

  private static long rowsNotRewrittenSince(Tables tables, long version) throws Exception {
    long rows = 0;
    for (String table : RUNNING_TOTALS) {
      rows += tables.count("SELECT count(*) FROM " + table + " WHERE pane_index <= ?", version);
    }
    return rows;
  }
}
