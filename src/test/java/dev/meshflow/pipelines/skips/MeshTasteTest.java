package dev.meshflow.pipelines.skips;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.generator.Taste;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.domains.Change;
import dev.meshflow.io.mesh.domains.DomainDatabase;
import dev.meshflow.io.mesh.domains.DomainSimulator;
import dev.meshflow.io.mesh.domains.OutboxWriter;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.OptionChecks;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.skips.SkipModelCard;
import dev.meshflow.transforms.skips.SkipTrainer;
import dev.meshflow.transforms.skips.TasteAttributes;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Skip models on the mesh. The interaction generator draws its users and items from the Users,
 * Songs and Podcasts products ({@code mesh=1}), and their tiers and genres decide the skips;
 * {@code skip-model} takes its cohorts and genres from the same products
 * ({@code --attributesFrom}). At the domains' first state the products agree with the ids. After
 * seeded tier and genre changes only the products explain the skips: the model card equals the
 * reference's, computed from the simulator's own truth, and it beats a model that still reads
 * cohorts and genres from ids.
 */
public class MeshTasteTest {
  private static final long EVENTS = 16_000;
  private static final long PERIOD = 5 * 60_000;
  private static final String[] WINDOWS = {"--trainWindow=10m", "--trainEvery=5m", "--outcomeTimeout=30s"};

  @TempDir static Path dir;
  static Path catalog;
  static List<DataContract> domains;

  @BeforeAll
  static void catalog() {
    catalog = dir.resolve("catalog");
    MeshCatalog.init(catalog);
    MeshCatalog open = MeshCatalog.open(catalog);
    domains = List.of("users", "songs", "podcasts").stream().map(open::product).toList();
  }

  /** A domain database holding the simulator's first state and then {@code changes} seeded changes. */
  private static String domains(DomainSimulator simulator, int changes) throws Exception {
    String db = Postgres.newDatabase("mesh_taste");
    try (Connection c = Postgres.connect(db)) {
      DomainDatabase.create(c, domains);
      OutboxWriter writer = new OutboxWriter(c, domains, MeshCatalog.open(catalog).registry());
      writer.write(simulator.initial());
      List<Change> more = new ArrayList<>();
      for (int i = 0; i < changes; i++) {
        more.add(simulator.next());
      }
      writer.write(more);
    }
    return db;
  }

  private static String generator(String db, boolean mesh) throws Exception {
    return "generator:interactions?events=" + EVENTS + "&seed=9&eventsPerSecond=10&taste=1&duplicates=0.02"
        + "&malformed=0.01&outOfOrder=0.1&late=0" + (mesh ? "&mesh=1&catalog=" + catalog + "&db=" + encoded(db) : "");
  }

  private static String encoded(String db) throws Exception {
    return URLEncoder.encode(Postgres.sinkUri(db), StandardCharsets.UTF_8);
  }

  @Test
  public void atTheFirstStateTheProductsDrawTheSameSongListensAsTheIds() throws Exception {
    String db = domains(new DomainSimulator(1, DomainSimulator.Sizes.DEFAULT), 0);
    List<byte[]> fromIds = GeneratedInput.records(generator(db, false), EVENTS, (origin, payload) -> payload);
    List<byte[]> fromProducts = GeneratedInput.records(generator(db, true), EVENTS, (origin, payload) -> payload);
    assertEquals(fromIds.size(), fromProducts.size());
    int songs = 0;
    int podcastsDiffer = 0;
    for (int i = 0; i < fromIds.size(); i++) {
      String ids = new String(fromIds.get(i), StandardCharsets.UTF_8);
      String products = new String(fromProducts.get(i), StandardCharsets.UTF_8);
      if (ids.contains("\"item_type\":\"song\"")) {
        assertEquals(ids, products, "record " + i);
        songs++;
      } else if (!ids.equals(products)) {
        // Podcasts have no genre in the products: their skips follow no taste there.
        assertTrue(ids.contains("\"item_type\":\"podcast\""), "only podcasts may differ: " + ids);
        podcastsDiffer++;
      }
    }
    assertTrue(songs > EVENTS / 2, "song records compared: " + songs);
    assertTrue(podcastsDiffer > 0, "podcast outcomes follow no genre from the products");
  }

  /** The domains after 3,000 seeded changes, and the simulator's own truth about them. */
  private static final class Changed {
    final String db;
    final TasteAttributes truth;
    final long changedSongs;
    final String listens;

    Changed() throws Exception {
      DomainSimulator simulator = new DomainSimulator(4, DomainSimulator.Sizes.DEFAULT);
      db = domains(simulator, 3_000);
      // Independent of how meshflow reads the products.
      Map<String, Integer> cohorts = new HashMap<>();
      simulator.entities("users").forEach((id, row) ->
          cohorts.put(id, List.of(DomainSimulator.TIERS).indexOf(row.get("tier"))));
      Map<String, Integer> genres = new HashMap<>();
      simulator.entities("songs").forEach((id, row) -> genres.put(id, List.of(Taste.GENRES).indexOf(row.get("genre"))));
      truth = TasteAttributes.of(cohorts, genres);
      changedSongs = genres.entrySet().stream().filter(e -> idNumber(e.getKey()) < 80
          && e.getValue() != Taste.genreOf(idNumber(e.getKey()))).count();
      listens = generator(db, true);
    }

    String attributesFrom() throws Exception {
      String mesh = "?catalog=" + catalog + "&db=" + encoded(db);
      return "--attributesFrom=mesh://users" + mesh + ",mesh://songs" + mesh;
    }
  }

  private static Changed changed;

  private static synchronized Changed changed() throws Exception {
    if (changed == null) {
      changed = new Changed();
    }
    return changed;
  }

  @Test
  public void afterTierAndGenreChangesSkipModelLearnsFromTheProducts() throws Exception {
    Changed c = changed();
    assertTrue(c.changedSongs > 20, "songs whose genre changed: " + c.changedSongs);
    SkipLoopReference reference = new SkipLoopReference(c.listens, EVENTS, 30_000, c.truth);
    SkipTrainer trainer = new SkipTrainer(SkipTrainer.Kind.LOGISTIC, 5, 1);
    Map<String, String> all = reference.cards(10 * 60_000, PERIOD, 500, trainer);
    long newest = reference.labelled.stream().mapToLong(l -> l.value.tsMillis).max().orElseThrow();
    String latest = SkipModelCard.idFor(Math.floorDiv(newest, PERIOD) * PERIOD + PERIOD);

    Path products = dir.resolve("models-products");
    run("DirectRunner", products, "--listens=" + c.listens, "--latestWindowOnly=true", c.attributesFrom());
    Diff.assertSameEntries("the model card", Map.of(latest, all.get(latest)), SkipLoopBatchTest.cards(products));
    // The same window with cohorts and genres from ids: the reference, as SkipLoopBatchTest holds
    // the pipeline's ids run to it.
    double withIds = SkipModelCard.fromJson(new SkipLoopReference(c.listens, EVENTS, 30_000)
        .cards(10 * 60_000, PERIOD, 500, trainer).get(latest)).holdoutAuc;
    double withProducts = SkipModelCard.fromJson(SkipLoopBatchTest.cards(products).get(latest)).holdoutAuc;
    System.out.printf("skip model after %d genre changes: holdout AUC %.3f from the products, %.3f from ids%n",
        c.changedSongs, withProducts, withIds);
    assertTrue(withProducts > withIds + 0.03, "the products explain the skips: " + withProducts + " vs " + withIds);
  }

  /**
   * Streaming on Flink from a topic: the products' snapshot is a side input read once at start,
   * and every window's model equals the batch reference's (the watermark trails by a day, so
   * nothing is late and live must equal batch).
   */
  @Test
  public void flinkStreamingFromATopicTrainsTheSameModelsFromTheProducts() throws Exception {
    Changed c = changed();
    Map<String, String> expected = new SkipLoopReference(c.listens, EVENTS, 30_000, c.truth)
        .cards(10 * 60_000, PERIOD, 500, new SkipTrainer(SkipTrainer.Kind.LOGISTIC, 5, 1));
    assertTrue(expected.size() >= 3, "models expected: " + expected.keySet());
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "mesh-taste-listens";
    kafka.createTopic(topic, 2);
    kafka.produceEvenly(topic, GeneratedInput.records(c.listens, EVENTS, (origin, payload) -> payload), 2);
    Path models = dir.resolve("models-streaming");
    run("FlinkRunner", models, "--listens=kafka://" + kafka.bootstrap() + "/" + topic
        + "?maxDelaySeconds=86400&idleSeconds=3600", "--streaming=true", "--runFor=PT10S", c.attributesFrom());
    Diff.assertSameEntries("model cards", expected, SkipLoopBatchTest.cards(models));
  }

  @Test
  public void attributesFromNeedsTheUsersAndSongsProducts() throws Exception {
    String mesh = "?catalog=" + catalog;
    OptionChecks.assertRejected(SkipModelPipeline.PIPELINE, "needs a product with tier (users' cohorts) too",
        "--attributesFrom=mesh://songs" + mesh);
    OptionChecks.assertRejected(SkipModelPipeline.PIPELINE, "neither a tier nor a genre field",
        "--attributesFrom=mesh://podcasts" + mesh);
    OptionChecks.assertRejected(SkipModelPipeline.PIPELINE, "mesh=1 needs taste=1",
        "--listens=generator:interactions?events=10&mesh=1");
  }

  private static int idNumber(String id) {
    return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
  }

  private static void run(String runner, Path models, String... more) {
    List<String> args = new ArrayList<>(List.of("--models=" + models, "--sink=duckdb:" + models + ".duckdb"));
    args.addAll(List.of(WINDOWS));
    args.addAll(List.of(more));
    PipelineResult result = SkipModelPipeline.run(PipelineOptionsFactory.fromArgs(
        RunnerArgs.asTheLauncherRuns(runner, args.toArray(new String[0]))).as(SkipModelPipeline.Options.class));
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
  }
}
