package dev.meshflow.io.mesh.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** A record is checked against its product's contract before it is published: each broken rule named. */
public class ContractRecordsTest {
  private static final DataContract SONGS = ContractReader.parse("songs", Contracts.shipped("songs"));
  private static final DataContract USERS = ContractReader.parse("users", Contracts.shipped("users"));

  private static Map<String, Object> song() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("song_id", "song-0042");
    s.put("title", "Song 42");
    s.put("artist", "Artist 2");
    s.put("genre", "jazz");
    s.put("duration_ms", 180_000L);
    s.put("release_date", "2020-02-12");
    return s;
  }

  @Test
  public void aGoodRecordBecomesItsAvroRecord() {
    assertEquals(List.of(), ContractRecords.violations(SONGS, song()));
    GenericRecord r = ContractRecords.toAvro(SONGS, ContractAvro.of(SONGS), song());
    assertEquals("jazz", r.get("genre"));
    assertEquals((int) LocalDate.parse("2020-02-12").toEpochDay(), r.get("release_date"));
    Map<String, Object> noDate = song();
    noDate.remove("release_date");
    assertEquals(null, ContractRecords.toAvro(SONGS, ContractAvro.of(SONGS), noDate).get("release_date"));
  }

  @Test
  public void eachBrokenRuleIsNamed() {
    Map<String, Object> bad = song();
    bad.remove("title");
    bad.put("genre", "polka");
    bad.put("duration_ms", 12L);
    bad.put("song_id", "track-1");
    bad.put("release_date", "yesterday");
    bad.put("mood", "calm");
    assertEquals(List.of(
        "mood: not a field of songs",
        "song_id: 'track-1' does not match ^song-[0-9]{4,}$",
        "title: required, and missing",
        "genre: 'polka' is not one of pop, rock, hiphop, jazz, classical, electronic",
        "duration_ms: 12 is below the minimum 1000",
        "release_date: 'yesterday' is not a date (yyyy-MM-dd)"),
        ContractRecords.violations(SONGS, bad).stream().map(ContractRecords.Violation::describe).toList());
    Map<String, Object> wrongType = song();
    wrongType.put("duration_ms", "long");
    assertEquals("duration_ms: expected an integer, got a string",
        ContractRecords.violations(SONGS, wrongType).get(0).describe());
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> ContractRecords.toAvro(SONGS, ContractAvro.of(SONGS), wrongType));
    assertTrue(refused.getMessage().startsWith("songs record refused: duration_ms"), refused.getMessage());
  }

  @Test
  public void datesAreCheckedAsCalendarDays() {
    for (String bad : List.of("2026-04-31", "2026-4-01", "2026-13-01", "2026/04/01", "20260401xx")) {
      Map<String, Object> s = song();
      s.put("release_date", bad);
      assertEquals(List.of("release_date: '" + bad + "' is not a date (yyyy-MM-dd)"),
          ContractRecords.violations(SONGS, s).stream().map(ContractRecords.Violation::describe).toList());
    }
    Map<String, Object> leap = song();
    leap.put("release_date", "2024-02-29");
    assertEquals((int) LocalDate.of(2024, 2, 29).toEpochDay(),
        ContractRecords.toAvro(SONGS, ContractAvro.of(SONGS), leap).get("release_date"));
  }

  @Test
  public void aPiiValueNeverAppearsInAMessage() {
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("user_id", "user-1");
    user.put("country", "SE");
    user.put("signup_date", "2024-01-01");
    user.put("tier", "free");
    user.put("email", "not an address but private");
    assertEquals(List.of(), ContractRecords.violations(USERS, user)); // format is documentation only
    DataContract strict = ContractReader.parse("users", Contracts.edit(Contracts.shipped("users"),
        "          format: email", "          pattern: \"^[^@ ]+@[^@ ]+$\""));
    String message = ContractRecords.violations(strict, user).get(0).describe();
    assertEquals("email: the value (PII, not shown) does not match ^[^@ ]+@[^@ ]+$", message);
  }
}
