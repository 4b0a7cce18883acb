package dev.meshflow.io.mesh.registry;

import static dev.meshflow.io.mesh.registry.CompatibilityMode.BACKWARD;
import static dev.meshflow.io.mesh.registry.CompatibilityMode.BACKWARD_TRANSITIVE;
import static dev.meshflow.io.mesh.registry.CompatibilityMode.FORWARD;
import static dev.meshflow.io.mesh.registry.CompatibilityMode.FORWARD_TRANSITIVE;
import static dev.meshflow.io.mesh.registry.CompatibilityMode.FULL;
import static dev.meshflow.io.mesh.registry.CompatibilityMode.FULL_TRANSITIVE;
import static dev.meshflow.io.mesh.registry.CompatibilityMode.NONE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every mode against changes built from Avro's documented resolution rules: for each change, the
 * modes that must accept it, and every other mode must refuse it. The transitive cases differ
 * from their plain modes only against a version older than the latest.
 */
public class CompatibilityMatrixTest {
  private static final Set<CompatibilityMode> ALL = EnumSet.allOf(CompatibilityMode.class);
  private static final Set<CompatibilityMode> BACKWARD_ONLY =
      EnumSet.of(BACKWARD, BACKWARD_TRANSITIVE, NONE);
  private static final Set<CompatibilityMode> FORWARD_ONLY =
      EnumSet.of(FORWARD, FORWARD_TRANSITIVE, NONE);

  /** A song record with the given fields (JSON field definitions). */
  private static Schema song(String... fields) {
    return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Song\",\"namespace\":"
        + "\"meshflow.songs\",\"fields\":[" + String.join(",", fields) + "]}");
  }

  private static final String ID = "{\"name\":\"id\",\"type\":\"string\"}";
  private static final String GENRE = "{\"name\":\"genre\",\"type\":\"string\"}";
  private static final String GENRE_DEFAULT =
      "{\"name\":\"genre\",\"type\":\"string\",\"default\":\"unknown\"}";
  private static final String KIND = "{\"name\":\"kind\",\"type\":{\"type\":\"enum\",\"name\":"
      + "\"Kind\",\"symbols\":[\"SONG\",\"PODCAST\"]}}";
  private static final String KIND_MORE = "{\"name\":\"kind\",\"type\":{\"type\":\"enum\",\"name\":"
      + "\"Kind\",\"symbols\":[\"SONG\",\"PODCAST\",\"AUDIOBOOK\"]}}";

  record Change(String name, List<Schema> earlier, Schema candidate,
      Set<CompatibilityMode> accepted) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Change> changes() {
    List<Change> c = new ArrayList<>();
    Schema base = song(ID, GENRE);
    c.add(new Change("add a field with a default", List.of(base),
        song(ID, GENRE, "{\"name\":\"plays\",\"type\":\"int\",\"default\":0}"), ALL));
    c.add(new Change("add a field without a default", List.of(base),
        song(ID, GENRE, "{\"name\":\"plays\",\"type\":\"int\"}"), FORWARD_ONLY));
    c.add(new Change("remove a field that has a default", List.of(song(ID, GENRE_DEFAULT)),
        song(ID), ALL));
    c.add(new Change("remove a field without a default", List.of(base), song(ID),
        BACKWARD_ONLY));
    c.add(new Change("promote int to long", List.of(song(ID, "{\"name\":\"ms\",\"type\":\"int\"}")),
        song(ID, "{\"name\":\"ms\",\"type\":\"long\"}"), BACKWARD_ONLY));
    c.add(new Change("change string to int", List.of(base),
        song(ID, "{\"name\":\"genre\",\"type\":\"int\"}"), Set.of(NONE)));
    c.add(new Change("rename with the old name as an alias", List.of(base),
        song(ID, "{\"name\":\"style\",\"type\":\"string\",\"aliases\":[\"genre\"]}"),
        BACKWARD_ONLY));
    c.add(new Change("rename without an alias", List.of(base),
        song(ID, "{\"name\":\"style\",\"type\":\"string\"}"), Set.of(NONE)));
    c.add(new Change("add an enum symbol", List.of(song(ID, KIND)), song(ID, KIND_MORE),
        BACKWARD_ONLY));
    c.add(new Change("remove an enum symbol", List.of(song(ID, KIND_MORE)), song(ID, KIND),
        FORWARD_ONLY));
    c.add(new Change("make a field optional", List.of(base),
        song(ID, "{\"name\":\"genre\",\"type\":[\"null\",\"string\"],\"default\":null}"),
        BACKWARD_ONLY));
    // Transitive: the candidate suits the latest version but not the first.
    c.add(new Change("drop the default that version 2 added, against version 1",
        List.of(song(ID), song(ID, "{\"name\":\"plays\",\"type\":\"int\",\"default\":0}")),
        song(ID, "{\"name\":\"plays\",\"type\":\"int\"}"),
        EnumSet.of(BACKWARD, FORWARD, FORWARD_TRANSITIVE, FULL, NONE)));
    c.add(new Change("remove a field whose default only version 2 has, against version 1",
        List.of(base, song(ID, GENRE_DEFAULT)), song(ID),
        EnumSet.of(BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FULL, NONE)));
    return c;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  public void eachModeAcceptsExactlyWhatAvrosRulesAllow(Change change) {
    for (CompatibilityMode mode : ALL) {
      List<Incompatibility> found = CompatibilityCheck.check(mode, change.candidate(), change.earlier());
      assertEquals(change.accepted().contains(mode), found.isEmpty(),
          change.name() + " under " + mode + ": " + found);
      for (Incompatibility i : found) {
        assertEquals(mode, i.mode());
      }
    }
  }

  @Test
  public void aRefusalNamesTheFieldTheChangeTheVersionAndTheMode() {
    Schema v1 = song(ID, GENRE);
    List<Incompatibility> backward = CompatibilityCheck.check(BACKWARD,
        song(ID, GENRE, "{\"name\":\"plays\",\"type\":\"int\"}"), List.of(v1));
    assertEquals(1, backward.size(), backward.toString());
    assertThat(backward.get(0).describe(), containsString("plays: added without a default"));
    assertThat(backward.get(0).describe(), containsString("BACKWARD forbids it (the new schema could not read version 1's records)"));

    List<Incompatibility> forward = CompatibilityCheck.check(FULL, song(ID), List.of(v1));
    assertEquals(1, forward.size(), forward.toString());
    assertEquals("genre", forward.get(0).field());
    assertEquals(Incompatibility.Direction.FORWARD, forward.get(0).direction());
    assertThat(forward.get(0).describe(), containsString("version 1's readers could not read"));

    List<Incompatibility> typed = CompatibilityCheck.check(BACKWARD,
        song(ID, "{\"name\":\"genre\",\"type\":\"int\"}"), List.of(v1));
    assertThat(typed.get(0).describe(), containsString("genre: type string cannot be read as int"));
  }

  @Test
  public void aNestedFieldIsNamedByItsPath() {
    String address = "{\"name\":\"address\",\"type\":{\"type\":\"record\",\"name\":\"Address\","
        + "\"fields\":[{\"name\":\"city\",\"type\":\"%s\"}]}}";
    List<Incompatibility> found = CompatibilityCheck.check(BACKWARD,
        song(ID, String.format(address, "int")), List.of(song(ID, String.format(address, "string"))));
    assertEquals("address.city", found.get(0).field(), found.toString());
  }

  @Test
  public void modesAreReadByTheirConfluentAndGlueNames() {
    assertEquals(BACKWARD_TRANSITIVE, CompatibilityMode.parse("backward_transitive"));
    assertEquals(FULL_TRANSITIVE, CompatibilityMode.parse("FULL_ALL"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CompatibilityMode.parse("sideways"));
    assertThat(e.getMessage(), containsString("compatibility mode 'sideways' is not one of BACKWARD,"));
  }
}
