package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.ContractAvro;
import dev.meshflow.io.mesh.contract.ContractRecords;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.domains.Change;
import dev.meshflow.io.mesh.domains.DomainDatabase;
import dev.meshflow.io.mesh.domains.DomainSimulator;
import dev.meshflow.io.mesh.domains.OutboxWriter;
import dev.meshflow.io.mesh.registry.WireFormat;
import dev.meshflow.testing.services.CdcRelay;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * How long a committed change takes to reach its product's topic through the outbox and the relay
 * (Debezium's embedded engine), at a steady rate of changes, each its own transaction. The
 * baseline is the shortest path a service could take: publishing the same bytes to Kafka itself
 * right after its commit (the dual write the outbox exists to avoid, since a crash between the two
 * loses the event). Both are timed from the commit to the record's arrival at a consumer.
 * Run with {@code mvn -B -Pbenchmarks test -Dtest=RelayLatencyBenchmark}
 * ({@code -Dbench.relay.rate=1000 -Dbench.relay.seconds=30}); the table is printed and written to
 * target/benchmarks/relay-latency.md.
 */
public class RelayLatencyBenchmark {
  private static final int RATE = Integer.getInteger("bench.relay.rate", 1000);
  private static final int SECONDS = Integer.getInteger("bench.relay.seconds", 30);
  private static final List<String> DOMAINS = List.of("users", "songs", "podcasts");

  @Test
  public void commitToTopicThroughTheRelayAgainstPublishingDirectly() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-relay-bench");
    MeshCatalog.init(dir.resolve("catalog"));
    MeshCatalog catalog = MeshCatalog.open(dir.resolve("catalog"));
    List<DataContract> domains = DOMAINS.stream().map(catalog::product).toList();
    String database = Postgres.newDatabase("relaybench");
    String bootstrap = KafkaBroker.shared().bootstrap();
    String prefix = "relaybench" + System.nanoTime() + ".";
    try (Connection c = Postgres.connect(database)) {
      DomainDatabase.create(c, domains);
    }
    try (Connection c = Postgres.connect(database);
        CdcRelay process = CdcRelay.start(Postgres.sinkUri(database), bootstrap, dir.resolve("relay"), prefix)) {
      OutboxWriter writer = new OutboxWriter(c, domains, catalog.registry());
      DomainSimulator simulator = new DomainSimulator(11, DomainSimulator.Sizes.DEFAULT);
      writer.write(simulator.initial());
      List<String> relayTopics = DOMAINS.stream().map(d -> prefix + d).toList();
      long[] throughRelay = measure(bootstrap, relayTopics, simulator, change -> writer.write(List.of(change)));

      Map<String, Integer> ids = new java.util.HashMap<>();
      for (DataContract d : domains) {
        ids.put(d.name(), catalog.registry().latest(d.name()).orElseThrow().id());
      }
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrap);
      p.put("enable.idempotence", "true");
      p.put("acks", "all");
      p.put("linger.ms", "2"); // as the relay's producer
      p.put("key.serializer", ByteArraySerializer.class.getName());
      p.put("value.serializer", ByteArraySerializer.class.getName());
      String direct = prefix + "direct";
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
        long[] dual = measure(bootstrap, List.of(direct), simulator, change -> {
          writer.write(List.of(change));
          DataContract contract = catalog.product(change.product());
          byte[] value = change.after() == null ? null : WireFormat.encode(ids.get(change.product()),
              ContractRecords.toAvro(contract, ContractAvro.of(contract), change.after()));
          ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(direct,
              change.key().getBytes(StandardCharsets.UTF_8), value);
          r.headers().add("id", change.eventId().toString().getBytes(StandardCharsets.UTF_8));
          producer.send(r);
        });
        String table = String.join("\n",
            "Commit to topic: " + String.format("%,d", RATE) + " changes/s, one transaction each, for "
                + SECONDS + " s per path; PostgreSQL 16 (embedded), Kafka 3.9 (one broker), "
                + BenchmarkReport.machine(),
            "",
            "| path | changes | p50 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|",
            row("outbox + relay (Debezium embedded engine)", throughRelay),
            row("publish directly after the commit (baseline)", dual),
            "",
            String.format("p99 through the relay: %.0f ms (target under 1,000 ms); the relay adds"
                + " %.0f ms at p50 over publishing directly.", pct(throughRelay, 99), pct(throughRelay, 50) - pct(dual, 50)));
        BenchmarkReport.publish("relay-latency.md", table);
      }
    }
  }

  interface Write {
    void accept(Change change) throws Exception;
  }

  /** Writes changes at the rate, and returns each one's commit-to-arrival time in microseconds. */
  private static long[] measure(String bootstrap, List<String> topics, DomainSimulator simulator,
      Write write) throws Exception {
    Map<String, Long> committed = new ConcurrentHashMap<>();
    Map<String, Long> arrived = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("fetch.max.wait.ms", "5");
    p.put("group.id", "bench-" + System.nanoTime());
    p.put("auto.offset.reset", "latest");
    Thread consumer = new Thread(() -> {
      try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
        c.subscribe(topics);
        while (!stop.get()) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(20))) {
            Header id = r.headers().lastHeader("id");
            arrived.putIfAbsent(new String(id.value(), StandardCharsets.UTF_8), System.nanoTime());
          }
        }
      }
    }, "bench-consumer");
    consumer.start();
    LockSupport.parkNanos(Duration.ofSeconds(3).toNanos()); // the consumer joins its group first
    int total = RATE * SECONDS;
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = start + (long) (i * 1e9 / RATE);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      Change change = simulator.next();
      write.accept(change);
      committed.put(change.eventId().toString(), System.nanoTime());
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (arrived.keySet().containsAll(committed.keySet()) == false && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    stop.set(true);
    consumer.join();
    assertEquals(committed.size(), committed.keySet().stream().filter(arrived::containsKey).count(),
        "every committed change arrived");
    long[] micros = new long[committed.size()];
    int i = 0;
    for (Map.Entry<String, Long> e : committed.entrySet()) {
      micros[i++] = Math.max(0, (arrived.get(e.getKey()) - e.getValue()) / 1000);
    }
    Arrays.sort(micros);
    return micros;
  }

  private static double pct(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] / 1000.0;
  }

  private static String row(String path, long[] sorted) {
    return String.format("| %s | %,d | %.1f | %.1f | %.1f |", path, sorted.length, pct(sorted, 50),
        pct(sorted, 99), sorted[sorted.length - 1] / 1000.0);
  }

}
