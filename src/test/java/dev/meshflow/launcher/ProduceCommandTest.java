package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.services.Postgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./meshflow produce as a user types it: domain tables, outbox events, planted and refused changes. */
public class ProduceCommandTest {
  @TempDir Path dir;

  private static long scalar(String database, String sql, String... params) throws Exception {
    try (Connection c = Postgres.connect(database); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long outboxEvents(String database) throws Exception {
    return scalar(database, "SELECT (SELECT count(*) FROM users.outbox) + (SELECT count(*) FROM"
        + " songs.outbox) + (SELECT count(*) FROM podcasts.outbox)");
  }

  @Test
  public void theFirstRunCreatesTheDomainsAndLaterRunsContinueThem() throws Exception {
    String database = Postgres.newDatabase("produce");
    String catalog = "--catalog=" + dir.resolve("catalog");
    assertEquals(0, CliRun.of(List.of("catalog", "init", catalog)).code);
    String db = "--db=" + Postgres.sinkUri(database);

    CliRun first = CliRun.of(List.of("produce", db, catalog, "--changes=500", "--batch=50", "--seed=3"));
    assertEquals(0, first.code, first.err);
    assertThat(first.out, containsString("first state: podcasts 20 (created 20), songs 80 (created 80),"
        + " users 2,000 (created 2,000)"));
    assertThat(first.out, containsString("produce: 500 changes in "));
    assertThat(first.out, containsString("2,600 events in users.outbox, songs.outbox, podcasts.outbox"));
    assertEquals(2_600, outboxEvents(database));
    assertEquals(1, scalar(database, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?",
        "meshflow_" + database));

    CliRun again = CliRun.of(List.of("produce", db, catalog, "--changes=100", "--seed=3"));
    assertEquals(0, again.code, again.err);
    assertThat(again.out, not(containsString("first state")));
    assertEquals(2_700, outboxEvents(database));

    String song = "song-" + String.format("%04d", scalar(database, "SELECT min(substring(song_id from 6)::int)"
        + " FROM songs.songs WHERE genre <> 'jazz'"));
    CliRun planted = CliRun.of(List.of("produce", db, catalog, "--set=songs/" + song + ".genre=jazz"));
    assertEquals(0, planted.code, planted.err);
    assertThat(planted.out, containsString("produce: songs " + song + ": genre = jazz (event "));
    assertEquals(1, scalar(database, "SELECT count(*) FROM songs.songs WHERE song_id = ? AND genre = 'jazz'",
        song));
    assertEquals(2_701, outboxEvents(database));

    CliRun refused = CliRun.of(List.of("produce", db, catalog, "--set=songs/" + song + ".genre=polka"));
    assertEquals(2, refused.code);
    assertEquals("meshflow: error: songs record refused: genre: 'polka' is not one of pop, rock, hiphop,"
        + " jazz, classical, electronic\n", refused.err);
    assertEquals(2_701, outboxEvents(database), "a refused change writes nothing");
  }

  @Test
  public void badOptionsGetOneLine() {
    CliRun negative = CliRun.of(List.of("produce", "--changes=-5"));
    assertEquals(2, negative.code);
    assertEquals("meshflow: error: produce: --changes=-5 is not a whole number from 0"
        + " (./meshflow produce --help)\n", negative.err);
    CliRun unknown = CliRun.of(List.of("produce", "--chnages=5"));
    assertEquals(2, unknown.code);
    assertThat(unknown.err, containsString("unknown option --chnages=5"));
    CliRun shape = CliRun.of(List.of("produce", "--catalog=" + dir, "--set=song-0042=jazz"));
    assertEquals(2, shape.code);
    CliRun help = CliRun.of(List.of("produce", "--help"));
    assertEquals(0, help.code);
    assertThat(help.out, containsString("--set=P/KEY.FIELD=VALUE"));
  }
}
