package dev.meshflow.io.mesh.producer;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.ContractAvro;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.contract.RefusedRecordException;
import dev.meshflow.io.mesh.registry.WireFormat;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.JavaCommand;
import dev.meshflow.testing.services.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producers validate at the boundary, on a real broker: the Java API, the HTTP endpoint with each
 * kind of bad input, and a batch that is never half-published though its producer dies mid-way.
 */
public class MeshProducerTest {
  @TempDir Path dir;
  private MeshCatalog catalog;
  private String bootstrap;

  static Map<String, Object> song(int i) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("song_id", String.format("song-%04d", 5000 + i));
    s.put("title", "New " + i);
    s.put("artist", "Artist " + i % 40);
    s.put("genre", "jazz");
    s.put("duration_ms", 200_000L);
    return s;
  }

  @BeforeEach
  void catalog() throws Exception {
    MeshCatalog.init(dir.resolve("catalog"));
    catalog = MeshCatalog.open(dir.resolve("catalog"));
    bootstrap = KafkaBroker.shared().bootstrap();
  }

  /** Every record of {@code topic}, read as {@code isolation}. */
  private List<ConsumerRecord<String, byte[]>> read(String topic, String isolation) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("isolation.level", isolation);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  @Test
  public void theJavaApiSendsCheckedRecordsAndRefusesBrokenOnes() throws Exception {
    DataContract songs = catalog.product("songs");
    String topic = "producer-api.songs";
    try (MeshProducer producer = MeshProducer.open(songs, catalog.registry(), bootstrap, topic, null)) {
      for (int i = 0; i < 10; i++) {
        producer.send(song(i));
      }
      Map<String, Object> bad = song(99);
      bad.put("genre", "polka");
      RefusedRecordException refused = assertThrows(RefusedRecordException.class,
          () -> producer.send(bad));
      assertEquals("genre", refused.violations().get(0).field());
      producer.flush();
    }
    List<ConsumerRecord<String, byte[]>> records = read(topic, "read_committed");
    assertEquals(10, records.size());
    WireFormat.Reader reader = new WireFormat.Reader(catalog.registry(), ContractAvro.of(songs));
    GenericRecord first = reader.read(records.get(0).value());
    assertEquals(records.get(0).key(), first.get("song_id").toString());
    assertEquals("jazz", first.get("genre").toString());
    assertEquals(2, WireFormat.schemaId(records.get(0).value()), "the songs schema's registered id");
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  public void theHttpEndpointPublishesValidRecordsAndAnswersEachBadOne() throws Exception {
    String prefix = "ingest-api.";
    try (IngestEndpoint endpoint = IngestEndpoint.start(catalog, "127.0.0.1", 0, bootstrap, prefix, 4096)) {
      String base = "http://127.0.0.1:" + endpoint.port() + "/products/";
      HttpResponse<String> ok = post(base + "songs/records", "[{\"song_id\":\"song-7001\",\"title\":\"A\","
          + "\"artist\":\"B\",\"genre\":\"rock\",\"duration_ms\":180000},{\"song_id\":\"song-7002\",\"title\":\"C\","
          + "\"artist\":\"D\",\"genre\":\"pop\",\"duration_ms\":200000,\"release_date\":\"2026-12-01\"}]");
      assertEquals(200, ok.statusCode(), ok.body());
      assertThat(ok.body(), containsString("\"published\":2"));
      assertThat(ok.body(), containsString("\"rejected\":[]"));

      HttpResponse<String> mixed = post(base + "songs/records", "["
          + "{\"song_id\":\"song-7003\",\"title\":\"E\",\"artist\":\"F\",\"genre\":\"jazz\",\"duration_ms\":190000},"
          + "{\"song_id\":\"song-7004\",\"title\":\"G\",\"artist\":\"H\",\"genre\":\"jazz\",\"duration_ms\":\"long\"},"
          + "{\"song_id\":\"song-7005\",\"artist\":\"H\",\"genre\":\"jazz\",\"duration_ms\":190000},"
          + "{\"song_id\":\"song-7006\",\"title\":\"I\",\"artist\":\"J\",\"genre\":\"polka\",\"duration_ms\":190000},"
          + "\"not a record\"]");
      assertEquals(200, mixed.statusCode(), mixed.body());
      assertThat(mixed.body(), containsString("\"published\":1"));
      assertThat(mixed.body(), containsString("{\"index\":1,\"field\":\"duration_ms\",\"reason\":\"expected an integer, got a string\"}"));
      assertThat(mixed.body(), containsString("{\"index\":2,\"field\":\"title\",\"reason\":\"required, and missing\"}"));
      assertThat(mixed.body(), containsString("{\"index\":3,\"field\":\"genre\",\"reason\":\"'polka' is not one of"));
      assertThat(mixed.body(), containsString("{\"index\":4,\"field\":null,\"reason\":\"not a JSON object\"}"));

      HttpResponse<String> allBad = post(base + "songs/records", "[{\"song_id\":\"x\"}]");
      assertEquals(422, allBad.statusCode(), allBad.body());
      assertThat(allBad.body(), containsString("\"published\":0"));
      assertEquals(400, post(base + "songs/records", "[{\"song_id\":").statusCode());
      assertThat(post(base + "songs/records", "[{\"song_id\":").body(), containsString("malformed JSON at line 1"));
      assertEquals(400, post(base + "songs/records", "{\"song_id\":\"song-1\"}").statusCode());
      assertEquals(400, post(base + "songs/records", "[]").statusCode());
      assertEquals(404, post(base + "albums/records", "[{}]").statusCode());
      assertEquals(404, post("http://127.0.0.1:" + endpoint.port() + "/elsewhere", "[{}]").statusCode());
      assertEquals(413, post(base + "songs/records", "[" + "{\"title\":\"x\"},".repeat(400) + "{}]").statusCode());
      HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(base + "songs/records")).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, get.statusCode());

      // It keeps serving after all that, and only valid records reached the topic.
      assertEquals(200, post(base + "songs/records", "[{\"song_id\":\"song-7007\",\"title\":\"K\","
          + "\"artist\":\"L\",\"genre\":\"pop\",\"duration_ms\":170000}]").statusCode());
      List<String> keys = read(prefix + "songs", "read_committed").stream().map(ConsumerRecord::key).sorted().toList();
      assertEquals(List.of("song-7001", "song-7002", "song-7003", "song-7007"), keys);
    }
  }

  @Test
  public void aBatchWhoseProducerDiesMidwayIsNeverHalfPublished() throws Exception {
    String topic = "half-batch.songs";
    String transactionalId = "meshflow-test-half-batch";
    // Its output goes to a file, polled: a blocking read of its pipe could outwait any deadline.
    Path log = dir.resolve("half-batch.log");
    Process child = new ProcessBuilder(JavaCommand.of(JavaCommand.QUICK_START, HalfBatchMain.class.getName(),
        List.of(dir.resolve("catalog").toString(), bootstrap, topic, transactionalId)))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Await.until("the producer to be halfway through its batch", Duration.ofSeconds(90), () -> {
        String printed = Files.exists(log) ? Files.readString(log) : "";
        if (!child.isAlive() && !printed.lines().anyMatch("halfway"::equals)) {
          throw new AssertionError("the producer exited with " + child.exitValue() + ": " + printed);
        }
        return printed.lines().anyMatch("halfway"::equals);
      }, Boolean::booleanValue);
      Await.until("500 uncommitted records on the topic", Duration.ofSeconds(30),
          () -> read(topic, "read_uncommitted").size(), n -> n == 500);
    } finally {
      child.destroyForcibly(); // kill -9, in the middle of the transaction
      child.waitFor(30, TimeUnit.SECONDS);
    }
    // The producer's successor (same transactional id) fences it; the broker aborts the open batch.
    try (MeshProducer successor = MeshProducer.open(catalog.product("songs"), catalog.registry(), bootstrap,
        topic, transactionalId)) {
      assertEquals(0, read(topic, "read_committed").size(), "a committed reader sees none of the batch");
      successor.publishAll(List.of(song(1)), List.of(successor.serialize(song(1))));
    }
    assertEquals(1, read(topic, "read_committed").size(), "and then the successor's batch only");
  }
}
