package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.producer.MeshProducer;
import dev.meshflow.testing.services.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * What checking records at the boundary costs a producer: {@code MeshProducer} (contract check,
 * Avro in the wire format, idempotent send) against a raw {@code KafkaProducer} sending the same
 * records already serialised, with the same producer settings, to the same broker. Rounds alternate
 * the two (A B A B); each round sends every record and waits for every acknowledgement. Run with
 * {@code mvn -B -Pbenchmarks test -Dtest=MeshProducerBenchmark} ({@code -Dbench.producer.records=200000
 * -Dbench.producer.rounds=9}); the table is printed and written to target/benchmarks/mesh-producer.md.
 */
public class MeshProducerBenchmark {
  private static final int RECORDS = Integer.getInteger("bench.producer.records", 200_000);
  private static final int ROUNDS = Integer.getInteger("bench.producer.rounds", 9);
  private static final String[] GENRES = {"pop", "rock", "hiphop", "jazz", "classical", "electronic"};

  @Test
  public void checkedSendsAgainstRawPreSerialisedSends() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-producer-bench");
    MeshCatalog.init(dir.resolve("catalog"));
    MeshCatalog catalog = MeshCatalog.open(dir.resolve("catalog"));
    DataContract songs = catalog.product("songs");
    String bootstrap = KafkaBroker.shared().bootstrap();
    String run = "producer-bench-" + System.nanoTime();
    List<Map<String, ?>> records = new ArrayList<>(RECORDS);
    for (int i = 0; i < RECORDS; i++) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("song_id", String.format("song-%06d", i));
      s.put("title", "Song " + i);
      s.put("artist", "Artist " + i % 400);
      s.put("genre", GENRES[i % GENRES.length]);
      s.put("duration_ms", 120_000L + i % 240_000);
      s.put("release_date", "2026-0" + (1 + i % 9) + "-1" + i % 10);
      records.add(s);
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("linger.ms", "5"); // as MeshProducer's
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    String rawTopic = run + ".raw";
    String meshTopic = run + ".mesh";
    List<byte[]> keys = new ArrayList<>(RECORDS);
    List<byte[]> values = new ArrayList<>(RECORDS);
    try (MeshProducer mesh = MeshProducer.open(songs, catalog.registry(), bootstrap, meshTopic, null);
        KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(p)) {
      for (Map<String, ?> r : records) {
        keys.add(r.get("song_id").toString().getBytes(StandardCharsets.UTF_8));
        values.add(mesh.serialize(r));
      }
      double[] rawSeconds = new double[ROUNDS];
      double[] meshSeconds = new double[ROUNDS];
      double[] checkSeconds = new double[ROUNDS];
      for (int round = 0; round < ROUNDS; round++) {
        long start = System.nanoTime();
        for (int i = 0; i < RECORDS; i++) {
          ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(rawTopic, keys.get(i), values.get(i));
          r.headers().add("id", UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
          raw.send(r);
        }
        raw.flush();
        rawSeconds[round] = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        for (Map<String, ?> r : records) {
          mesh.send(r);
        }
        mesh.flush();
        meshSeconds[round] = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        long bytes = 0;
        for (Map<String, ?> r : records) {
          bytes += mesh.serialize(r).length;
        }
        checkSeconds[round] = (System.nanoTime() - start) / 1e9;
        assertEquals(values.stream().mapToLong(v -> v.length).sum(), bytes);
      }
      assertEquals((long) RECORDS * ROUNDS, endOffsets(bootstrap, rawTopic));
      assertEquals((long) RECORDS * ROUNDS, endOffsets(bootstrap, meshTopic));
      Arrays.sort(rawSeconds);
      Arrays.sort(meshSeconds);
      Arrays.sort(checkSeconds);
      double rawMedian = rawSeconds[ROUNDS / 2];
      double meshMedian = meshSeconds[ROUNDS / 2];
      String table = String.join("\n",
          String.format("Producing %,d song records (%d interleaved rounds, median, min to max), one Kafka 3.9"
              + " broker, acks=all, idempotent, linger.ms=5; %s", RECORDS, ROUNDS, BenchmarkReport.machine()),
          "",
          "| producer | median s | min s | max s | records/s | vs raw |",
          "|---|---:|---:|---:|---:|---:|",
          String.format("| raw KafkaProducer, bytes serialised beforehand (baseline) | %.2f | %.2f | %.2f | %,.0f | 1.00× |",
              rawMedian, rawSeconds[0], rawSeconds[ROUNDS - 1], RECORDS / rawMedian),
          String.format("| MeshProducer: contract check, Avro wire format, send | %.2f | %.2f | %.2f | %,.0f | **%.2f×** |",
              meshMedian, meshSeconds[0], meshSeconds[ROUNDS - 1], RECORDS / meshMedian, rawMedian / meshMedian),
          String.format("| (MeshProducer's check and serialisation alone, nothing sent) | %.2f | %.2f | %.2f | %,.0f | |",
              checkSeconds[ROUNDS / 2], checkSeconds[0], checkSeconds[ROUNDS - 1], RECORDS / checkSeconds[ROUNDS / 2]),
          "",
          "Target: 0.5× or better.");
      BenchmarkReport.publish("mesh-producer.md", table);
    }
  }

  private static long endOffsets(String bootstrap, String topic) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(p)) {
      var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
      Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new LinkedHashMap<>();
      partitions.forEach(i -> latest.put(new TopicPartition(topic, i.partition()),
          org.apache.kafka.clients.admin.OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }
  }
}
