package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.generator.Taste;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.domains.DomainDatabase;
import dev.meshflow.io.mesh.domains.DomainSimulator;
import dev.meshflow.io.mesh.domains.OutboxWriter;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.services.CdcRelay;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The mesh end to end: a song's genre changes in the Songs domain's database; the change flows
 * through the outbox and the relay to the {@code songs} topic; a streaming {@code ingest} enriching
 * live interactions from {@code mesh://songs} carries the new genre on that song's next events.
 * Measured from the commit, on Direct and on Flink, which cannot refresh a side input while
 * streaming but joins a changelog with state like any runner.
 */
public class MeshEnrichmentTest {
  private static final String SONG = "song-0042";
  /** The bound this test holds the change to, from commit to the first enriched event after it. */
  private static final Duration BOUND = Duration.ofSeconds(15);

  // Both runners at once: each mostly waits out its 45 s run (50 s less CI than one after the other).
  @ParameterizedTest
  @ValueSource(strings = {"DirectRunner", "FlinkRunner"})
  @org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT)
  public void aGenreChangeReachesTheEnrichedRowsWithinTheBound(String runner, @org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    MeshCatalog.init(dir.resolve("catalog"));
    MeshCatalog catalog = MeshCatalog.open(dir.resolve("catalog"));
    List<DataContract> domains = List.of("users", "songs", "podcasts").stream().map(catalog::product).toList();
    String domainDb = Postgres.newDatabase("mesh_domains");
    String warehouse = Postgres.newDatabase("mesh_warehouse");
    KafkaBroker kafka = KafkaBroker.shared();
    String prefix = "meshe2e-" + runner + ".";
    String interactions = prefix + "interactions";
    kafka.createTopic(interactions, 1); // one partition: the events reach the join in time order

    DomainSimulator simulator = new DomainSimulator(1, DomainSimulator.Sizes.DEFAULT);
    try (Connection c = Postgres.connect(domainDb)) {
      DomainDatabase.create(c, domains);
    }
    String oldGenre = Taste.GENRES[Taste.genreOf(42)];
    String newGenre = oldGenre.equals("jazz") ? "rock" : "jazz";
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicLong sent = new AtomicLong();
    try (Connection c = Postgres.connect(domainDb);
        CdcRelay relay = CdcRelay.start(Postgres.sinkUri(domainDb), kafka.bootstrap(), dir.resolve("relay"), prefix)) {
      OutboxWriter writer = new OutboxWriter(c, domains, catalog.registry());
      writer.write(simulator.initial());
      Thread events = new Thread(() -> produceEvents(kafka.bootstrap(), interactions, producing, sent),
          "interaction-events");
      events.start();

      String items = "mesh://songs?catalog=" + dir.resolve("catalog") + "&bootstrap=" + kafka.bootstrap()
          + "&topic=" + prefix + "songs,mesh://podcasts?catalog=" + dir.resolve("catalog")
          + "&bootstrap=" + kafka.bootstrap() + "&topic=" + prefix + "podcasts";
      IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(runner,
          "--source=kafka://" + kafka.bootstrap() + "/" + interactions + "?start=latest",
          "--sink=" + Postgres.sinkUri(warehouse), "--streaming=true", "--catalog=" + items,
          // Long enough for a slow start (the job must still run when the change is made), short
          // enough for CI: Flink's start took 10-15 s here, and the rest needs about 2 s.
          "--runFor=PT45S")).as(IngestPipeline.Options.class);
      // FlinkRunner's embedded cluster runs the job inside run(); Direct returns at once.
      CompletableFuture<PipelineResult.State> job = CompletableFuture.supplyAsync(
          () -> IngestPipeline.run(options).waitUntilFinish());

      Await.until("enriched rows of " + SONG + " with its genre " + oldGenre, Duration.ofSeconds(60),
          () -> count(warehouse, oldGenre), n -> n > 0);
      writer.write(List.of(simulator.set("songs", SONG, "genre", newGenre)));
      long committed = System.currentTimeMillis();
      Await.until("enriched rows of " + SONG + " with its new genre " + newGenre, BOUND.multipliedBy(2),
          () -> count(warehouse, newGenre), n -> n > 0);
      producing.set(false);
      events.join();
      assertEquals(PipelineResult.State.DONE, job.get());

      long lastOld = eventTime(warehouse, oldGenre, "max");
      long firstNew = eventTime(warehouse, newGenre, "min");
      // Every event sent more than the bound after the commit carries the new genre. Not "none after
      // the first new one carries the old": the dedupe before the join spreads a song's events over
      // its parallel workers, so on Flink two events sent close together can reach the join in
      // either order, one each side of the change (a CI run saw it).
      assertTrue(lastOld < committed + BOUND.toMillis(), "an event sent " + (lastOld - committed)
          + " ms after the change still carried the old genre");
      long staleness = firstNew - committed;
      System.out.printf("mesh enrichment on %s: the first event after the genre change to carry it was"
          + " sent %d ms after the commit (%d events, %d rows)%n", runner, staleness, sent.get(),
          count(warehouse, oldGenre) + count(warehouse, newGenre));
      assertTrue(staleness < BOUND.toMillis(), "within " + BOUND + ": " + staleness + " ms");
      // The one documented miss: an event the job reads before the changelog's first version of
      // its item. Only events from before the first enriched one may miss.
      if (count(warehouse, null) > 0) {
        assertTrue(eventTime(warehouse, null, "max") < eventTime(warehouse, oldGenre, "min"),
            "events missed their item only while the changelog was first being read");
      }
    } finally {
      producing.set(false);
    }
  }

  /**
   * In batch, {@code mesh://} items are a snapshot of the domains' tables (JdbcIO): each event is
   * enriched with its item's row as the Songs and Podcasts databases hold it at launch.
   */
  @org.junit.jupiter.api.Test
  public void aBatchRunEnrichesFromASnapshotOfTheDomainTables(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    MeshCatalog.init(dir.resolve("catalog"));
    MeshCatalog catalog = MeshCatalog.open(dir.resolve("catalog"));
    List<DataContract> domains = List.of("users", "songs", "podcasts").stream().map(catalog::product).toList();
    String domainDb = Postgres.newDatabase("mesh_snapshot");
    String warehouse = Postgres.newDatabase("mesh_snapshot_wh");
    DomainSimulator simulator = new DomainSimulator(3, DomainSimulator.Sizes.DEFAULT);
    try (Connection c = Postgres.connect(domainDb)) {
      DomainDatabase.create(c, domains);
      OutboxWriter writer = new OutboxWriter(c, domains, catalog.registry());
      writer.write(simulator.initial());
      writer.write(List.of(simulator.set("songs", SONG, "genre", "jazz"),
          simulator.set("podcasts", "podcast-0081", "topic", "science")));
    }
    String db = "&db=" + Postgres.sinkUri(domainDb).replace("?", "%3F").replace("&", "%26");
    String items = "mesh://songs?catalog=" + dir.resolve("catalog") + db + ",mesh://podcasts?catalog="
        + dir.resolve("catalog") + db;
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner("DirectRunner",
        "--source=generator:interactions?events=3000&seed=5", "--sink=" + Postgres.sinkUri(warehouse),
        "--catalog=" + items, "--onCatalogMiss=deadletter")).as(IngestPipeline.Options.class);
    assertEquals(PipelineResult.State.DONE, IngestPipeline.run(options).waitUntilFinish());

    java.util.Map<String, java.util.Map<String, Object>> songs = simulator.entities("songs");
    java.util.Map<String, java.util.Map<String, Object>> podcasts = simulator.entities("podcasts");
    long checked = 0;
    try (Connection c = Postgres.connect(warehouse); PreparedStatement ps = c.prepareStatement(
        "SELECT item_id, title, artist, genre FROM interactions");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String item = rs.getString(1);
        java.util.Map<String, Object> truth = item.startsWith("song-") ? songs.get(item) : podcasts.get(item);
        List<Object> expected = item.startsWith("song-")
            ? List.of(truth.get("title"), truth.get("artist"), truth.get("genre"))
            : List.of(truth.get("title"), truth.get("show"), truth.get("topic"));
        assertEquals(expected, List.of(rs.getString(2), rs.getString(3), rs.getString(4)), item);
        checked++;
      }
    }
    assertTrue(checked > 2_000, "rows checked: " + checked);
    assertTrue(count(warehouse, "jazz") > 0, "the planted genre change is in the snapshot");
  }

  /** One play of {@link #SONG} every 100 ms, stamped with the time it is sent. */
  private static void produceEvents(String bootstrap, String topic, AtomicBoolean producing, AtomicLong sent) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    p.put("linger.ms", "0");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (long n = 0; producing.get(); n++) {
        String json = "{\"event_id\":\"mesh-e2e-" + n + "\",\"ts\":\"" + Instant.now() + "\",\"user_id\":\"user-"
            + n % 50 + "\",\"item_id\":\"" + SONG + "\",\"item_type\":\"song\",\"event_type\":\"play\"}";
        producer.send(new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)));
        sent.incrementAndGet();
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
    }
  }

  /** Rows of the song with {@code genre} (null: with no genre). */
  private static long count(String warehouse, String genre) throws Exception {
    try (Connection c = Postgres.connect(warehouse); PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) FROM interactions WHERE item_id = ? AND "
            + (genre == null ? "genre IS NULL AND ? IS NULL" : "genre = ?"))) {
      ps.setString(1, SONG);
      ps.setString(2, genre);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * The earliest or latest ({@code which}: min or max) event time, in epoch ms, among the song's
   * rows with {@code genre} (null: with none).
   */
  private static long eventTime(String warehouse, String genre, String which) throws Exception {
    String aggregate = which.equals("min") ? "min" : "max";
    try (Connection c = Postgres.connect(warehouse); PreparedStatement ps = c.prepareStatement(
        "SELECT extract(epoch FROM " + aggregate + "(event_ts)) * 1000 FROM interactions WHERE item_id = ?"
            + " AND " + (genre == null ? "genre IS NULL AND ? IS NULL" : "genre = ?"))) {
      ps.setString(1, SONG);
      ps.setString(2, genre);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
