package dev.meshflow.io.mesh.registry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file-backed registry: versions, global ids, refusals, and what survives a restart or a crash. */
public class SchemaRegistryTest {
  @TempDir Path dir;

  private static Schema record(String name, String fields) {
    return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name
        + "\",\"fields\":[" + fields + "]}");
  }

  private static final Schema SONG_V1 = record("Song", "{\"name\":\"id\",\"type\":\"string\"}");
  private static final Schema SONG_V2 = record("Song", "{\"name\":\"id\",\"type\":\"string\"},"
      + "{\"name\":\"genre\",\"type\":\"string\",\"default\":\"unknown\"}");
  private static final Schema PODCAST_V1 = record("Episode", "{\"name\":\"show\",\"type\":\"string\"}");

  @Test
  public void versionsGetGlobalIdsAndTheSameSchemaAgainKeepsItsId() {
    SchemaRegistry registry = SchemaRegistry.at(dir);
    assertEquals(1, registry.register("songs", SONG_V1).id());
    assertEquals(2, registry.register("podcasts", PODCAST_V1).id());
    SchemaRegistry.Registered v2 = registry.register("songs", SONG_V2);
    assertEquals(3, v2.id());
    assertEquals(2, v2.version());
    // The same schema, written differently (whitespace, field order of the JSON object).
    Schema again = new Schema.Parser().parse(
        "{ \"fields\": [{\"type\":\"string\",\"name\":\"id\"}], \"name\": \"Song\", \"type\": \"record\" }");
    SchemaRegistry.Registered same = registry.register("songs", again);
    assertEquals(1, same.id());
    assertEquals(1, same.version());
    assertEquals(List.of(SONG_V1, SONG_V2), registry.versions("songs"));
  }

  @Test
  public void anIncompatibleVersionIsRefusedWithEveryReasonAndNothingIsWritten() throws Exception {
    SchemaRegistry registry = SchemaRegistry.at(dir);
    registry.register("songs", SONG_V2);
    Schema breaking = record("Song", "{\"name\":\"id\",\"type\":\"int\"},"
        + "{\"name\":\"genre\",\"type\":\"string\",\"default\":\"unknown\"},"
        + "{\"name\":\"plays\",\"type\":\"long\"}");
    SchemaRegistry.IncompatibleSchemaException e = assertThrows(
        SchemaRegistry.IncompatibleSchemaException.class, () -> registry.register("songs", breaking));
    assertEquals(2, e.reasons().size(), e.getMessage());
    assertThat(e.getMessage(), containsString("songs: not BACKWARD compatible with its registered versions (2 reasons)"));
    assertThat(e.getMessage(), containsString("id: type string cannot be read as int"));
    assertThat(e.getMessage(), containsString("plays: added without a default"));
    assertEquals(e.reasons(), registry.check("songs", breaking), "check says what register refuses");
    assertEquals(1, registry.versions("songs").size());
    assertEquals(List.of("1\tsongs\t1"), Files.readAllLines(dir.resolve("ids.tsv")));

    registry.setMode("songs", CompatibilityMode.NONE);
    assertEquals(2, registry.register("songs", breaking).version(), "NONE accepts any change");
  }

  @Test
  public void aNewRegistryOverTheSameFilesSeesEveryVersionAndId() {
    SchemaRegistry first = SchemaRegistry.at(dir);
    first.register("songs", SONG_V1);
    first.register("podcasts", PODCAST_V1);
    first.register("songs", SONG_V2);
    first.setMode("podcasts", CompatibilityMode.FULL_TRANSITIVE);

    SchemaRegistry reopened = SchemaRegistry.at(dir);
    assertEquals(SONG_V2, reopened.latest("songs").orElseThrow().schema());
    assertEquals(3, reopened.latest("songs").orElseThrow().id());
    SchemaRegistry.Registered podcast = reopened.byId(2).orElseThrow();
    assertEquals("podcasts", podcast.subject());
    assertEquals(PODCAST_V1, podcast.schema());
    assertEquals(CompatibilityMode.FULL_TRANSITIVE, reopened.mode("podcasts"));
    assertEquals(CompatibilityMode.BACKWARD, reopened.mode("songs"));
    assertTrue(reopened.byId(4).isEmpty());
    assertTrue(reopened.latest("users").isEmpty());
  }

  @Test
  public void aVersionFileLeftByACrashBeforeItsIdIsNotAVersion() throws Exception {
    SchemaRegistry registry = SchemaRegistry.at(dir);
    registry.register("songs", SONG_V1);
    // The crash: v2's file written, its line in ids.tsv not.
    Files.writeString(dir.resolve("songs/v2.avsc"), record("Song",
        "{\"name\":\"id\",\"type\":\"int\"}").toString());
    assertEquals(List.of(SONG_V1), registry.versions("songs"));
    SchemaRegistry.Registered v2 = registry.register("songs", SONG_V2);
    assertEquals(2, v2.version());
    assertEquals(SONG_V2, SchemaRegistry.at(dir).byId(v2.id()).orElseThrow().schema());
  }

  @Test
  public void registrationsFromManyThreadsGetDistinctIds() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Integer>> work = new java.util.ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String subject = "product-" + i;
        work.add(() -> SchemaRegistry.at(dir).register(subject, SONG_V1).id());
      }
      List<Integer> ids = new java.util.ArrayList<>();
      for (Future<Integer> f : pool.invokeAll(work)) {
        ids.add(f.get());
      }
      assertEquals(12, ids.stream().collect(Collectors.toSet()).size(), "ids: " + ids);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  public void aSubjectMustBeASafeName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SchemaRegistry.at(dir).register("../songs", SONG_V1));
    assertThat(e.getMessage(), containsString("subject '../songs' is not lower-case letters"));
  }
}
