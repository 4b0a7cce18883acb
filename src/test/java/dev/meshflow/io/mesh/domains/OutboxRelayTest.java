package dev.meshflow.io.mesh.domains;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.ContractAvro;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.registry.WireFormat;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.services.CdcRelay;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producer domains' changes reach their topics through the outbox and the relay (Debezium's
 * embedded engine) on a real PostgreSQL and a real Kafka broker: every committed change, in commit
 * order per key, across a {@code kill -9} of the relay in the middle of 100,000 changes.
 */
public class OutboxRelayTest {
  private static final List<String> DOMAINS = List.of("users", "songs", "podcasts");
  @TempDir Path dir;

  @Test
  public void aRelayKilledInTheMiddleOf100000ChangesLosesNothingAndKeepsEachKeysOrder() throws Exception {
    MeshCatalog.init(dir.resolve("catalog"));
    MeshCatalog catalog = MeshCatalog.open(dir.resolve("catalog"));
    List<DataContract> domains = DOMAINS.stream().map(catalog::product).toList();
    String database = Postgres.newDatabase("relay");
    String bootstrap = KafkaBroker.shared().bootstrap();
    String prefix = "relaytest.";
    List<String> topics = DOMAINS.stream().map(d -> prefix + d).toList();

    DomainSimulator simulator = new DomainSimulator(7, DomainSimulator.Sizes.DEFAULT);
    List<Change> written = new ArrayList<>();
    Connection connection = Postgres.connect(database);
    DomainDatabase.create(connection, domains);
    OutboxWriter writer = new OutboxWriter(connection, domains, catalog.registry());
    List<Change> first = simulator.initial();
    writer.write(first);
    written.addAll(first);

    int changes = 100_000;
    try (CdcRelay relay = CdcRelay.start(Postgres.sinkUri(database), bootstrap, dir.resolve("relay"), prefix)) {
      CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
        try {
          List<Change> batch = new ArrayList<>();
          for (int i = 0; i < changes; i++) {
            batch.add(simulator.next());
            if (batch.size() == 100) {
              writer.write(batch);
              synchronized (written) {
                written.addAll(batch);
              }
              batch.clear();
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      long killedAt = Await.until("30,000 events on the topics", Duration.ofSeconds(180),
          () -> TopicContents.endOffsets(bootstrap, topics), n -> n >= 30_000);
      relay.kill();
      int committedWhileDown;
      synchronized (written) {
        committedWhileDown = written.size();
      }
      relay.start();
      producing.get();
      connection.close();
      int total = written.size();
      assertEquals(first.size() + changes, total);
      assertTrue(killedAt < total && committedWhileDown < total,
          "the relay was killed mid-stream: " + killedAt + " published, " + committedWhileDown
              + " committed of " + total);
      Await.until("every committed change on the topics", Duration.ofSeconds(240),
          () -> TopicContents.endOffsets(bootstrap, topics), n -> n >= total);

      // Nothing lost, nothing unknown; a replayed event repeats its id, so dropping seen ids
      // leaves each committed change once, in commit order per key.
      Map<String, List<String>> writtenPerKey = new HashMap<>();
      Map<String, Change> lastPerKey = new HashMap<>();
      for (Change c : written) {
        writtenPerKey.computeIfAbsent(c.product() + "/" + c.key(), k -> new ArrayList<>())
            .add(c.eventId().toString());
        lastPerKey.put(c.product() + "/" + c.key(), c);
      }
      Map<String, List<String>> seenPerKey = new LinkedHashMap<>();
      Map<String, TopicContents.Event> lastSeen = new HashMap<>();
      Set<String> ids = new HashSet<>();
      long records = 0;
      for (String product : DOMAINS) {
        for (TopicContents.Event e : TopicContents.read(bootstrap, prefix + product)) {
          records++;
          // The outbox row's time, for the dashboard's freshness: written before it was sent.
          long created = java.time.OffsetDateTime.parse(e.createdAt()).toInstant().toEpochMilli();
          assertTrue(created <= e.timestamp(), e.createdAt() + " after the record was sent at " + e.timestamp());
          if (ids.add(e.id())) {
            seenPerKey.computeIfAbsent(product + "/" + e.key(), k -> new ArrayList<>()).add(e.id());
            lastSeen.put(product + "/" + e.key(), e);
          }
        }
      }
      assertEquals(total, ids.size(), "distinct events on the topics");
      assertEquals(writtenPerKey, seenPerKey, "each key's events, in commit order");
      System.out.printf("relay: killed at %,d published; %,d records for %,d changes (%,d sent again"
          + " after the restart, dropped by id)%n", killedAt, records, total, records - total);

      // The last event of each key is its final state: the entity's record, or a tombstone.
      for (Map.Entry<String, Change> e : lastPerKey.entrySet()) {
        TopicContents.Event event = lastSeen.get(e.getKey());
        Change change = e.getValue();
        assertEquals(change.op(), event.op(), e.getKey());
        if (change.after() == null) {
          assertNull(event.value(), e.getKey() + " ends in a tombstone");
          continue;
        }
        DataContract contract = catalog.product(change.product());
        GenericRecord record = new WireFormat.Reader(catalog.registry(), ContractAvro.of(contract))
            .read(event.value());
        for (Map.Entry<String, Object> field : change.after().entrySet()) {
          Object expected = field.getValue() instanceof LocalDate d ? (int) d.toEpochDay() : field.getValue();
          Object actual = record.get(field.getKey());
          assertEquals(expected, actual instanceof org.apache.avro.util.Utf8 ? actual.toString() : actual,
              e.getKey() + "." + field.getKey());
        }
      }

      // A consumer's view, as a user reads it: decoded, replays dropped, PII masked.
      CliRun read = CliRun.of(List.of("catalog", "read", "users", "--limit=3", "--catalog=" + dir.resolve("catalog"),
          "--bootstrap=" + bootstrap, "--topic=" + prefix + "users"));
      assertEquals(0, read.code, read.err);
      List<String> lines = read.out.lines().toList();
      assertEquals(3, lines.size(), read.out);
      assertTrue(lines.get(0).matches("\\{\"key\":\"user-\\d+\",\"op\":\"created\",\"id\":\"[0-9a-f-]{36}\","
          + "\"schema_id\":1,\"value\":\\{\"user_id\":\"user-\\d+\",\"country\":\"[A-Z]{2}\",.*"
          + "\"email\":\"\\(PII, masked\\)\"}}"), lines.get(0));
      assertTrue(read.err.startsWith("meshflow: read 3 records of " + prefix + "users"), read.err);
    }
  }
}
