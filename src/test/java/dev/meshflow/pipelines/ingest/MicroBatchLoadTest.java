package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.InteractionsTable;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code micro-batch-load} into DuckDB and a real PostgreSQL, on the Direct and Flink runners:
 * exact rows and dead letters, a ledger that loads each file exactly once across runs, a changed
 * file reported and not reloaded, and a streaming run that picks up files as they land.
 */
public class MicroBatchLoadTest {
  private static final long EVENTS = 4_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=13&duplicates=0.05&malformed=0.04&items=30&users=150";

  @TempDir Path tmp;

  private static PipelineResult load(String runner, String landing, String sink, String... extra) {
    List<String> args = new ArrayList<>(List.of("--landing=" + landing, "--sink=" + sink, "--batchFiles=2"));
    args.addAll(List.of(extra));
    MicroBatchLoadPipeline.Options options = PipelineOptionsFactory
        .fromArgs(RunnerArgs.forRunner(runner, args.toArray(new String[0])))
        .as(MicroBatchLoadPipeline.Options.class);
    return MicroBatchLoadPipeline.run(options);
  }

  private static RunCounts finish(PipelineResult result) {
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    RunCounts counts = RunCounts.of(result);
    assertTrue(counts.conserved(Conservation.rowsOf(InteractionsTable.TABLE)), "conserved: " + counts);
    return counts;
  }


  private void loadsEachFileExactlyOnce(String runner, String sink, Tables tables) throws Exception {
    Path landing = TempFiles.newFolder(tmp, "landing");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, landing, 3, 5);
    IngestEtlModel.Result expected = IngestEtlModel.run(
        GeneratedInput.records(GENERATOR, EVENTS), EtlSpec.identity(), null);

    RunCounts first = finish(load(runner, landing + "/*.jsonl*", sink));
    assertEquals(EVENTS, first.read());
    Diff.assertSameLines("interactions", Tables.render(expected.rows.values(), Tables.TYPED),
        tables.interactions("interactions", Tables.TYPED));
    Diff.assertSameLines("dead letters", Tables.sortedValues(expected.deadLetters),
        Tables.sortedValues(tables.deadLetters()));
    assertEquals(3, tables.count("SELECT count(*) FROM loaded_files"));
    assertEquals(EVENTS, tables.count("SELECT sum(rows) FROM loaded_files"));

    // A rerun finds every file in the ledger and loads nothing.
    List<String> before = tables.dump("SELECT * FROM interactions ORDER BY event_id");
    RunCounts second = finish(load(runner, landing + "/*.jsonl*", sink));
    assertEquals(0, second.read());
    assertEquals(3, second.get("files_already_loaded"));
    assertEquals(before, tables.dump("SELECT * FROM interactions ORDER BY event_id"));

    // A changed file is reported, not reloaded; a new file is loaded.
    Files.writeString(landing.resolve("part-0.jsonl"), "{\"changed\":true}\n",
        java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(landing.resolve("late-arrival.jsonl"),
        "{\"event_id\":\"new-1\",\"ts\":\"2026-03-08T00:00:00Z\",\"user_id\":\"u\",\"item_id\":\"song-0001\","
            + "\"item_type\":\"song\",\"event_type\":\"play\"}\n");
    RunCounts third = finish(load(runner, landing + "/*.jsonl*", sink));
    assertEquals(1, third.read());
    assertEquals(1, third.get("files_changed_after_load"));
    assertEquals(1, tables.count("SELECT count(*) FROM dead_letter WHERE stage = 'changed-file'"));
    assertEquals(expected.rows.size() + 1, tables.count("SELECT count(*) FROM interactions"));
    assertEquals(4, tables.count("SELECT count(*) FROM loaded_files"));
  }

  /**
   * A gzip file cut short (a writer that had not finished) must not stop the loading. It becomes a
   * dead letter with its bytes, stays out of the ledger, and loads when it lands again complete.
   * Reading the same bad file again adds no second dead letter.
   */
  @Test
  public void anUnreadableFileIsADeadLetterAndLoadsWhenItLandsComplete() throws Exception {
    Path landing = TempFiles.newFolder(tmp, "landing");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, landing, 2, 5);
    Path gz = landing.resolve("part-1.jsonl.gz"); // the generated input's last file is gzipped
    byte[] complete = Files.readAllBytes(gz);
    byte[] cutShort = java.util.Arrays.copyOf(complete, complete.length / 2);
    Files.write(gz, cutShort);
    String file = tmp + "/unreadable.duckdb";
    Tables tables = Tables.duckDb(file);

    RunCounts first = finish(load("DirectRunner", landing + "/*.jsonl*", "duckdb:" + file));
    assertEquals(1, first.get("files_loaded"));
    assertEquals(1, first.get("files_unreadable"));
    assertEquals(1, tables.count("SELECT count(*) FROM loaded_files"));
    assertEquals(1, tables.count("SELECT count(*) FROM dead_letter WHERE stage = 'unreadable-file'"
        + " AND reason LIKE '%part-1.jsonl.gz is not a complete gzip file%'"));
    try (java.sql.Connection c = dev.meshflow.io.duckdb.DuckDbDatabases.connect(file);
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(
            "SELECT payload FROM dead_letter WHERE stage = 'unreadable-file'")) {
      assertTrue(rs.next());
      org.junit.jupiter.api.Assertions.assertArrayEquals(cutShort, rs.getBytes(1), "the dead letter keeps the file's bytes");
    }
    long rowsOfPart0 = tables.count("SELECT count(*) FROM interactions");

    RunCounts again = finish(load("DirectRunner", landing + "/*.jsonl*", "duckdb:" + file));
    assertEquals(1, again.get("files_unreadable"));
    assertEquals(1, tables.count("SELECT count(*) FROM dead_letter WHERE stage = 'unreadable-file'"));

    Files.write(gz, complete);
    RunCounts third = finish(load("DirectRunner", landing + "/*.jsonl*", "duckdb:" + file));
    assertEquals(1, third.get("files_loaded"));
    assertEquals(0, third.get("files_unreadable"));
    assertEquals(2, tables.count("SELECT count(*) FROM loaded_files"));
    IngestEtlModel.Result expected = IngestEtlModel.run(
        GeneratedInput.records(GENERATOR, EVENTS), EtlSpec.identity(), null);
    assertEquals(expected.rows.size(), tables.count("SELECT count(*) FROM interactions"));
    assertTrue(rowsOfPart0 < expected.rows.size());
  }

  /** A file removed between the listing and its batch is skipped; the rest of the batch loads. */
  @Test
  public void aFileGoneBeforeItsBatchIsSkipped() throws Exception {
    Path landing = TempFiles.newFolder(tmp, "gone");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, landing, 1, 5);
    String file = tmp + "/gone.duckdb";
    dev.meshflow.io.BulkLoader loader = dev.meshflow.io.endpoints.Endpoints.sink("duckdb:" + file).bulkLoader();
    dev.meshflow.pipelines.ingest.MicroBatch.Outcome outcome = dev.meshflow.pipelines.ingest.MicroBatch.load(loader,
        List.of(landing.resolve("part-0.jsonl").toString(), landing.resolve("removed.jsonl").toString()));
    assertEquals(1, outcome.filesLoaded);
    assertEquals(1, outcome.filesVanished);
    assertEquals(EVENTS, outcome.lines);
    assertEquals(1, Tables.duckDb(file).count("SELECT count(*) FROM loaded_files"));
  }

  @Test
  public void duckDbLoadsEachFileExactlyOnce() throws Exception {
    String file = tmp + "/mb.duckdb";
    loadsEachFileExactlyOnce("DirectRunner", "duckdb:" + file, Tables.duckDb(file));
  }

  @Test
  public void postgresLoadsEachFileExactlyOnce() throws Exception {
    String db = Postgres.newDatabase("microbatch");
    loadsEachFileExactlyOnce("DirectRunner", Postgres.sinkUri(db), Tables.postgres(db));
  }

  @Test
  public void sparkLoadsEachFileExactlyOnceIntoPostgres() throws Exception {
    String db = Postgres.newDatabase("microbatch_spark");
    loadsEachFileExactlyOnce("SparkRunner", Postgres.sinkUri(db), Tables.postgres(db));
  }

  @Test
  public void flinkLoadsEachFileExactlyOnceIntoPostgres() throws Exception {
    String db = Postgres.newDatabase("microbatch_flink");
    loadsEachFileExactlyOnce("FlinkRunner", Postgres.sinkUri(db), Tables.postgres(db));
  }

  // The two streaming runs at once: each mostly waits out its fixed --runFor (25 s less CI).
  @Test
  @org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT)
  public void streamingPicksUpFilesAsTheyLand() throws Exception {
    picksUpFilesAsTheyLand("DirectRunner");
  }

  @Test
  @org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT)
  public void flinkStreamingPicksUpFilesAsTheyLand() throws Exception {
    picksUpFilesAsTheyLand("FlinkRunner");
  }

  private void picksUpFilesAsTheyLand(String runner) throws Exception {
    Path landing = TempFiles.newFolder(tmp, "watched");
    Path staging = TempFiles.newFolder(tmp, "staging");
    String file = tmp + "/stream.duckdb";
    Tables tables = Tables.duckDb(file);
    // Run from another thread: the Flink runner's local run() returns only when the job ends.
    String runFor = runner.equals("FlinkRunner") ? "--runFor=PT40S" : "--runFor=PT25S";
    // On Direct, one worker thread, as the launcher runs this pipeline: watching, batching timers
    // and loading must all make progress on it.
    List<String> extra = new ArrayList<>(List.of("--streaming=true", runFor, "--pollInterval=1s",
        "--batchInterval=2s"));
    if (runner.equals("DirectRunner")) {
      extra.add("--targetParallelism=1");
    }
    CompletableFuture<PipelineResult> job = CompletableFuture.supplyAsync(() -> load(runner,
        landing + "/*.jsonl*", "duckdb:" + file, extra.toArray(new String[0])));
    for (int f = 0; f < 3; f++) {
      Path written = staging.resolve("drop-" + f + ".jsonl");
      Files.writeString(written, "{\"event_id\":\"drop-" + f + "\",\"ts\":\"2026-03-08T00:00:00Z\","
          + "\"user_id\":\"u\",\"item_id\":\"song-0001\",\"item_type\":\"song\",\"event_type\":\"play\"}\n"
          + "not json\n");
      // Land atomically, as writers should.
      Files.move(written, landing.resolve(written.getFileName()), StandardCopyOption.ATOMIC_MOVE);
      int expectedFiles = f + 1;
      Await.until("file " + f + " loaded", Duration.ofSeconds(30),
          () -> tables.count("SELECT count(*) FROM loaded_files"), n -> n == expectedFiles);
    }
    RunCounts counts = finish(job.get(2, TimeUnit.MINUTES));
    assertEquals(6, counts.read());
    assertEquals(3, tables.count("SELECT count(*) FROM interactions"));
    assertEquals(3, tables.count("SELECT count(*) FROM dead_letter WHERE stage = 'parse'"));
  }
}
