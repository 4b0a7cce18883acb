package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.duckdb.DuckDbDatabases;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.sql.RowSql;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.ingest.InteractionsTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A row the warehouse refuses is a dead letter, not a failed pipeline: PostgreSQL text cannot hold
 * a NUL character, which JSON allows as an escape, so such an event passes validation and is then
 * refused by the database. The rest of its batch still lands, whether the batch was sent as
 * statements (small) or copied and merged (large).
 */
public class WarehouseRefusalTest {
  @TempDir Path tmp;

  private static String event(String id, String device) {
    return "{\"event_id\":\"" + id + "\",\"ts\":\"2026-03-08T00:00:00Z\",\"user_id\":\"u1\","
        + "\"item_id\":\"song-0001\",\"item_type\":\"song\",\"event_type\":\"play\",\"device\":\""
        + device + "\"}";
  }

  @Test
  public void refusedRowsOfASmallBatchBecomeSinkDeadLetters() throws Exception {
    refusedRowsBecomeSinkDeadLetters(3, "");
  }

  @Test
  public void refusedRowsOfACopiedBatchBecomeSinkDeadLetters() throws Exception {
    refusedRowsBecomeSinkDeadLetters(300, "&copyRows=1");
  }

  private void refusedRowsBecomeSinkDeadLetters(int good, String sinkParams) throws Exception {
    Path input = TempFiles.newFile(tmp, "events.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= good; i++) {
      lines.add(event("ok-" + i, i % 2 == 0 ? "web" : "ios"));
      if (i == 1 || i == good - 1) {
        lines.add(event("nul-" + i, i == 1 ? "io\\u0000s" : "\\u0000"));
      }
    }
    Files.write(input, lines);
    String db = Postgres.newDatabase("refusal");
    runWithTwoSinkDeadLetters(Postgres.sinkUri(db) + sinkParams, input);

    Tables tables = Tables.postgres(db);
    assertEquals(good, tables.count("SELECT count(*) FROM interactions"));
    Map<String, String> deadLetters = tables.deadLetters();
    assertEquals(2, deadLetters.size());
    deadLetters.forEach((origin, reason) -> {
      assertTrue(origin.startsWith("file:" + input), origin);
      assertTrue(reason.startsWith("sink: the warehouse refused the row"), reason);
      assertTrue(reason.contains("0x00"), reason);
    });
  }

  /**
   * DuckDB's refusals are dead letters too. The table here was made by meshflow and then given a
   * NOT NULL rule on duration_ms, so the events without a duration are refused and the rest land.
   */
  @Test
  public void rowsDuckDbRefusesBecomeSinkDeadLetters() throws Exception {
    String file = tmp + "/refusing.duckdb";
    Endpoints.sink("duckdb:" + file).createTable(InteractionsTable.TABLE, InteractionsTable.SCHEMA,
        InteractionsTable.KEY);
    execute(file, "ALTER TABLE interactions ALTER COLUMN duration_ms SET NOT NULL");
    Path input = TempFiles.newFile(tmp, "durations.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      String event = event("ok-" + i, "ios");
      lines.add(i % 7 == 0 ? event : event.replace("}", ",\"duration_ms\":" + (1000 + i) + "}"));
    }
    Files.write(input, lines);
    runWithTwoSinkDeadLetters("duckdb:" + file, input);

    Tables tables = Tables.duckDb(file);
    assertEquals(18, tables.count("SELECT count(*) FROM interactions"));
    Map<String, String> deadLetters = tables.deadLetters();
    assertEquals(List.of("file:" + input + "#L14", "file:" + input + "#L7"),
        new ArrayList<>(deadLetters.keySet())); // sorted as text
    deadLetters.values().forEach(reason -> assertTrue(reason.startsWith("sink: the warehouse refused the row: Constraint Error: NOT NULL"), reason));
  }

  /**
   * A table left by an older meshflow, without a column this version writes, fails the run once
   * with a message that says what to do. Before, every row was refused and became a dead letter.
   */
  @Test
  public void aTableMadeByAnOlderVersionFailsTheRunInsteadOfDeadLetteringEveryRow() throws Exception {
    String db = Postgres.newDatabase("oldtable");
    Postgres.execute(db, "CREATE TABLE interactions (event_id TEXT PRIMARY KEY, ts TIMESTAMP)");
    assertFailsSaying(Postgres.sinkUri(db), "table interactions has no columns event_ts, user_id,",
        "DROP TABLE interactions");
    assertEquals(0, Tables.postgres(db).count("SELECT count(*) FROM interactions"));

    String file = tmp + "/old.duckdb";
    execute(file, "CREATE TABLE interactions (event_id VARCHAR PRIMARY KEY, ts TIMESTAMP)");
    assertFailsSaying("duckdb:" + file, "table interactions has no columns event_ts, user_id,",
        "DROP TABLE interactions");
    assertEquals(0, Tables.duckDb(file).count("SELECT count(*) FROM interactions"));
  }

  /**
   * A table with every column but no key (made with CREATE TABLE AS, say) cannot take upserts.
   * That fails the run, naming the key; DuckDB used to turn every row into a dead letter instead.
   */
  @Test
  public void aTableWithoutTheKeyFailsTheRunInsteadOfDeadLetteringEveryRow() throws Exception {
    String keyless = "CREATE TABLE interactions AS SELECT * FROM shape";
    String db = Postgres.newDatabase("keyless");
    Postgres.execute(db, RowSql.createTableSql(RowSql.Dialect.POSTGRES, "shape", InteractionsTable.SCHEMA,
        InteractionsTable.KEY));
    Postgres.execute(db, keyless);
    assertFailsSaying(Postgres.sinkUri(db), "table interactions has no primary key or unique constraint"
        + " on (event_id)", "ALTER TABLE interactions ADD PRIMARY KEY (event_id)");
    assertEquals(0, Tables.postgres(db).count("SELECT count(*) FROM interactions"));

    String file = tmp + "/keyless.duckdb";
    execute(file, RowSql.createTableSql(RowSql.Dialect.DUCKDB, "shape", InteractionsTable.SCHEMA,
        InteractionsTable.KEY));
    execute(file, keyless);
    assertFailsSaying("duckdb:" + file, "table interactions has no primary key or unique constraint"
        + " on (event_id)", "ALTER TABLE interactions ADD PRIMARY KEY (event_id)");
    assertEquals(0, Tables.duckDb(file).count("SELECT count(*) FROM interactions"));
  }

  private static IngestPipeline.Options ingest(Path input, String sink) {
    return PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(
        "DirectRunner", "--source=file:" + input, "--sink=" + sink)).as(IngestPipeline.Options.class);
  }

  /** Runs ingest to the end; two rows become sink dead letters, and read = written + dead letters. */
  private static void runWithTwoSinkDeadLetters(String sink, Path input) {
    IngestPipeline.Options options = ingest(input, sink);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    RunCounts counts = RunCounts.of(result);
    assertEquals(2, counts.deadLettersByStage().get("sink").longValue());
    assertTrue(counts.conserved(IngestPipeline.PIPELINE.spec(options).conservation()), "read = written + dead letters: " + counts);
  }

  private static void execute(String duckDbFile, String sql) throws Exception {
    try (java.sql.Connection c = DuckDbDatabases.connect(duckDbFile);
        java.sql.Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private void assertFailsSaying(String sink, String... fragments) throws Exception {
    Path input = TempFiles.newFolder(tmp).resolve("events.jsonl");
    Files.write(input, List.of(event("ok-1", "ios"), event("ok-2", "web")));
    IngestPipeline.Options options = ingest(input, sink);
    try {
      PipelineResult.State state = IngestPipeline.run(options).waitUntilFinish();
      org.junit.jupiter.api.Assertions.fail("expected the run to fail, it ended " + state);
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      for (String fragment : fragments) {
        assertTrue(message.contains(fragment), message);
      }
    }
  }
}
