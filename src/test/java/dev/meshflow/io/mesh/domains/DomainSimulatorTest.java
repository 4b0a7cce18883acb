package dev.meshflow.io.mesh.domains;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.generator.Taste;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.ContractReader;
import dev.meshflow.io.mesh.contract.ContractRecords;
import dev.meshflow.io.mesh.contract.DataContract;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The domains' simulated services: seeded, consistent with the interaction generator, within contract. */
public class DomainSimulatorTest {

  private static List<Change> run(long seed, int changes) {
    DomainSimulator s = new DomainSimulator(seed, DomainSimulator.Sizes.DEFAULT);
    List<Change> all = new java.util.ArrayList<>(s.initial());
    IntStream.range(0, changes).forEach(i -> all.add(s.next()));
    return all;
  }

  @Test
  public void theChangesAreAPureFunctionOfTheSeed() {
    assertEquals(run(7, 5_000), run(7, 5_000));
    assertNotEquals(run(7, 5_000), run(8, 5_000));
    List<Change> changes = run(7, 5_000);
    assertEquals(changes.size(), changes.stream().map(Change::eventId).distinct().count(), "unique event ids");
  }

  @Test
  public void theFirstStateNamesWhatTheInteractionGeneratorNames() {
    DomainSimulator s = new DomainSimulator(1, DomainSimulator.Sizes.DEFAULT);
    s.initial();
    Map<String, Map<String, Object>> songs = s.entities("songs");
    assertEquals(80, songs.size());
    assertEquals("song-0000", songs.keySet().iterator().next());
    assertEquals(Taste.GENRES[Taste.genreOf(42)], songs.get("song-0042").get("genre"));
    assertEquals(Set.of("podcast-0080", "podcast-0099"), s.entities("podcasts").keySet().stream()
        .filter(k -> k.equals("podcast-0080") || k.equals("podcast-0099")).collect(Collectors.toSet()));
    Map<String, Object> user = s.entities("users").get("user-1231");
    assertEquals(DomainSimulator.TIERS[Taste.cohortOf(1231)], user.get("tier"));
  }

  @Test
  public void everyRecordKeepsItsContractAndKeysAreNeverReused() {
    Map<String, DataContract> contracts = new HashMap<>();
    for (String name : List.of("users", "songs", "podcasts")) {
      contracts.put(name, ContractReader.parse(name, MeshCatalog.shipped(name)));
    }
    Set<String> deleted = new HashSet<>();
    Map<String, Integer> ops = new HashMap<>();
    for (Change c : run(3, 20_000)) {
      ops.merge(c.product() + " " + c.op(), 1, Integer::sum);
      String key = c.product() + "/" + c.key();
      if (c.op().equals(Change.DELETED)) {
        assertTrue(deleted.add(key), key + " deleted twice");
      } else {
        assertTrue(!deleted.contains(key), key + " came back after its delete");
        assertEquals(List.of(), ContractRecords.violations(contracts.get(c.product()), c.after()), key);
      }
    }
    for (String product : List.of("users", "songs", "podcasts")) {
      for (String op : List.of(Change.CREATED, Change.UPDATED, Change.DELETED)) {
        assertTrue(ops.getOrDefault(product + " " + op, 0) > 0, product + " " + op + ": " + ops);
      }
    }
  }

  @Test
  public void aPlantedChangeIsKnownTruth() {
    DomainSimulator s = new DomainSimulator(1, DomainSimulator.Sizes.DEFAULT);
    s.initial();
    Change c = s.set("songs", "song-0042", "genre", "jazz");
    assertEquals(Change.UPDATED, c.op());
    assertEquals("jazz", c.after().get("genre"));
    assertEquals("jazz", s.entities("songs").get("song-0042").get("genre"));
    assertThrows(IllegalArgumentException.class, () -> s.set("songs", "song-9999", "genre", "jazz"));
    assertThrows(IllegalArgumentException.class, () -> s.set("songs", "song-0042", "mood", "calm"));
  }

  @Test
  public void resumingFromTheSameTablesGivesTheSameChanges() {
    DomainSimulator s = new DomainSimulator(5, DomainSimulator.Sizes.DEFAULT);
    s.initial();
    IntStream.range(0, 1_000).forEach(i -> s.next());
    Map<String, Map<String, Map<String, Object>>> entities = new HashMap<>();
    for (String product : List.of("users", "songs", "podcasts")) {
      entities.put(product, s.entities(product));
    }
    DomainDatabase.Snapshot snapshot = new DomainDatabase.Snapshot(entities, s.events(), 2_500, 400);
    DomainSimulator a = DomainSimulator.resume(5, snapshot);
    DomainSimulator b = DomainSimulator.resume(5, snapshot);
    for (int i = 0; i < 1_000; i++) {
      assertEquals(a.next(), b.next());
    }
  }
}
