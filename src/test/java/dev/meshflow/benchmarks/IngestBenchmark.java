package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.BulkLoader;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.duckdb.DuckDbDatabases;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.sql.RowSql;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.launcher.RunnerDefaults;
import dev.meshflow.pipelines.ingest.IngestPipeline;
import dev.meshflow.pipelines.ingest.MicroBatch;
import dev.meshflow.pipelines.ingest.MicroBatchLoadPipeline;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.IngestEtl;
import dev.meshflow.transforms.ingest.InteractionsTable;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Loading speed against each warehouse's own bulk loader, and pipelined ingestion against JdbcIO
 * with its default settings, each ratio measured in one run on the same input. Run with
 * {@code mvn -B -Pbenchmarks test -Dtest=IngestBenchmark [-Dbench.ingest.events=300000]}; the table
 * is printed and written to target/benchmarks/ingest.md.
 */
public class IngestBenchmark {
  private static final long EVENTS = Long.getLong("bench.ingest.events", 300_000) / 4 * 4;
  /** The runner of every pipeline here (-Dbench.runner=FlinkRunner); the baselines need none. */
  private static final String RUNNER = System.getProperty("bench.runner", "DirectRunner");
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS + "&seed=42";
  private static final String COLUMNS = "{event_id: 'VARCHAR', ts: 'VARCHAR', user_id: 'VARCHAR',"
      + " item_id: 'VARCHAR', item_type: 'VARCHAR', event_type: 'VARCHAR', device: 'VARCHAR',"
      + " session_id: 'VARCHAR', duration_ms: 'BIGINT'}";

  private final List<String> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  @Test
  public void loadersAndIngestion() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-ingest-bench");
    Path landing = dir.resolve("landing");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, landing, 8, 3);
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(GENERATOR, EVENTS);
    IngestEtlModel.Result model = IngestEtlModel.run(records, EtlSpec.identity(), null);
    long unique = model.rows.size();

    // 1. micro-batch-load into DuckDB vs DuckDB's read_json of the same files.
    double readJson = best(2, () -> {
      String db = Files.createTempDirectory(dir, "rj").resolve("rj.duckdb").toString();
      try (Connection c = DuckDbDatabases.connect(db); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE interactions AS SELECT * FROM read_json('" + landing + "/part-*',"
            + " format = 'newline_delimited', ignore_errors = true, columns = " + COLUMNS + ")");
      }
      DuckDbDatabases.close(db);
    });
    // The same job for DuckDB alone: read_json of the same batches of two files (--batchFiles=2)
    // into the same keyed table, first row per event_id, an existing key kept, one transaction
    // per batch.
    List<String> landed = new ArrayList<>();
    try (var files = Files.list(landing)) {
      files.sorted().forEach(p -> landed.add(p.toString()));
    }
    double readJsonKeyed = best(2, () -> {
      String db = Files.createTempDirectory(dir, "rjk").resolve("rjk.duckdb").toString();
      Endpoints.sink("duckdb:" + db).createTable(InteractionsTable.TABLE, InteractionsTable.SCHEMA, InteractionsTable.KEY);
      try (Connection c = DuckDbDatabases.connect(db); Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        for (List<String> batch : batchesOfTwo(landed)) {
          st.execute(readJsonIntoInteractions(batch));
          c.commit();
        }
        try (java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM interactions")) {
          rs.next(); // it skips what it cannot read and checks less, so it keeps at least as many
          assertTrue(rs.getLong(1) >= unique, "read_json loaded " + rs.getLong(1) + " rows");
        }
      }
      DuckDbDatabases.close(db);
    });
    double microDuck = best(2, () -> {
      String db = Files.createTempDirectory(dir, "mb").resolve("mb.duckdb").toString();
      microBatch("duckdb:" + db, landing, unique);
      DuckDbDatabases.close(db);
    });
    // The same per-batch work in a plain loop, without an engine: what the engine itself costs.
    double plainDuck = best(2, () -> {
      String db = Files.createTempDirectory(dir, "plain").resolve("plain.duckdb").toString();
      BulkLoader loader = Endpoints.sink("duckdb:" + db).bulkLoader();
      long inserted = 0;
      for (List<String> batch : batchesOfTwo(landed)) {
        inserted += MicroBatch.load(loader, batch).inserted;
      }
      assertEquals(unique, inserted);
      DuckDbDatabases.close(db);
    });
    row("micro-batch-load -> DuckDB", microDuck, "DuckDB read_json of the same files", readJson);
    row("micro-batch-load -> DuckDB", microDuck,
        "DuckDB read_json of the same batches into the same keyed table", readJsonKeyed);
    row("the same batches in a plain loop (no engine) -> DuckDB", plainDuck,
        "DuckDB read_json of the same files", readJson);

    // 2. micro-batch-load into PostgreSQL vs COPY of the rows it loads.
    String copyDb = Postgres.newDatabase("bench_copy");
    TableSink copySink = Endpoints.sink(Postgres.sinkUri(copyDb));
    copySink.createTable(InteractionsTable.TABLE, InteractionsTable.SCHEMA, InteractionsTable.KEY);
    String csv = csv(model.rows.values());
    double copy = best(2, () -> {
      try (Connection c = Postgres.connect(copyDb); Statement st = c.createStatement()) {
        st.execute("TRUNCATE interactions");
        ((PGConnection) c).getCopyAPI().copyIn("COPY interactions ("
            + String.join(", ", InteractionsTable.SCHEMA.getFieldNames()) + ") FROM STDIN WITH (FORMAT csv)",
            new StringReader(csv));
      }
    });
    double microPg = best(2, () -> microBatch(Postgres.sinkUri(Postgres.newDatabase("bench_mb")), landing, unique));
    row("micro-batch-load -> PostgreSQL", microPg, "COPY (CopyManager) of the loaded rows", copy);

    // 3. ingest from Kafka into PostgreSQL vs the same pipeline writing with JdbcIO defaults.
    KafkaBroker kafka = KafkaBroker.shared();
    kafka.createTopic("bench", 4);
    List<byte[]> values = new ArrayList<>();
    records.forEach(r -> values.add(r.payload()));
    // maxRecords is split evenly across the readers (one per partition), so partitions are even.
    kafka.produceEvenly("bench", values, 4);
    String source = "kafka://" + kafka.bootstrap() + "/bench?maxRecords=" + EVENTS;
    // Alternate the three, best of two each, so none profits from a warmer JVM. The third reads
    // and transforms the same way and discards the rows: the most any sink could gain.
    double ingest = Double.MAX_VALUE;
    double jdbcIo = Double.MAX_VALUE;
    double noSink = Double.MAX_VALUE;
    for (int i = 0; i < 2; i++) {
      String ingestDb = Postgres.newDatabase("bench_ingest");
      ingest = Math.min(ingest, timed(() -> {
        PipelineResult r = IngestPipeline.run(options(IngestPipeline.Options.class, IngestPipeline.NAME,
            "--source=" + source, "--sink=" + Postgres.sinkUri(ingestDb)));
        assertEquals(PipelineResult.State.DONE, r.waitUntilFinish());
      }));
      assertEquals(unique, Tables.postgres(ingestDb).count("SELECT count(*) FROM interactions"));
      String jdbcDb = Postgres.newDatabase("bench_jdbcio");
      jdbcIo = Math.min(jdbcIo, timed(() -> ingestEtlInto(source, jdbcIoWrite(jdbcDb))));
      assertEquals(unique, Tables.postgres(jdbcDb).count("SELECT count(*) FROM interactions"));
      noSink = Math.min(noSink, timed(() -> ingestEtlInto(source, discard())));
    }
    row("ingest Kafka -> PostgreSQL (batched upserts)", ingest, "same pipeline, JdbcIO.write() defaults", jdbcIo);
    row("the same read and transform, rows discarded (the ceiling for any sink)", noSink,
        "same pipeline, JdbcIO.write() defaults", jdbcIo);

    // 4. The write path alone: the same rows, looked up in memory by a generated index (cheap to
    // produce on any runner, unlike Create.of, whose encoding took most of this row's time), into
    // PostgreSQL by the meshflow sink and by JdbcIO's defaults, and discarded.
    InMemoryRows.set(new ArrayList<>(model.rows.values()));
    double sinkOnly = Double.MAX_VALUE;
    double jdbcOnly = Double.MAX_VALUE;
    double rowsOnly = Double.MAX_VALUE;
    for (int i = 0; i < 2; i++) {
      String sinkDb = Postgres.newDatabase("bench_w");
      sinkOnly = Math.min(sinkOnly, timed(() -> writeRows(sinkDb, Endpoints.sink(Postgres.sinkUri(sinkDb))
          .upsert(InteractionsTable.TABLE, InteractionsTable.KEY))));
      String jdbcDb = Postgres.newDatabase("bench_wj");
      jdbcOnly = Math.min(jdbcOnly, timed(() -> writeRows(jdbcDb, jdbcIoWrite(jdbcDb))));
      rowsOnly = Math.min(rowsOnly, timed(() -> writeRows(null, discard())));
    }
    row("upsert rows from memory -> PostgreSQL (meshflow sink)", sinkOnly, "JdbcIO.write() defaults", jdbcOnly);
    row("the same rows, discarded (the engine alone)", rowsOnly, "JdbcIO.write() defaults", jdbcOnly);
    notes.add(String.format("Write step (job minus the same job discarding its rows): meshflow sink %.2f s,"
        + " JdbcIO defaults %.2f s, ratio %.2f.", sinkOnly - rowsOnly, jdbcOnly - rowsOnly,
        (jdbcOnly - rowsOnly) / (sinkOnly - rowsOnly)));
    notes.add(String.format("Kafka pipeline: the most a sink could make it beat JdbcIO's defaults is %.2fx"
        + " (JdbcIO pipeline %.1f s / no sink %.1f s).", jdbcIo / noSink, jdbcIo, noSink));

    String table = String.join("\n", List.of(
        "Input: " + String.format("%,d", EVENTS) + " generated records (seed 42; "
            + String.format("%,d", unique) + " unique valid events), " + RUNNER + " with the launcher's"
            + " defaults; " + BenchmarkReport.machine(),
        "",
        "| job | seconds | records/s | baseline | baseline seconds | ratio |",
        "|---|---:|---:|---|---:|---:|",
        String.join("\n", rows),
        "",
        String.join("\n", notes)));
    BenchmarkReport.publish("ingest-" + RUNNER + ".md", table);
  }

  /** ratio = baseline seconds / job seconds: the job's throughput as a share of the baseline's. */
  private void row(String job, double seconds, String baseline, double baselineSeconds) {
    rows.add(String.format("| %s | %.1f | %,.0f | %s | %.1f | %.2f |", job, seconds, EVENTS / seconds,
        baseline, baselineSeconds, baselineSeconds / seconds));
  }

  /** The options the launcher would give {@code pipeline} on this runner. */
  private static <O extends org.apache.beam.sdk.options.PipelineOptions> O options(Class<O> type,
      String pipeline, String... args) {
    List<String> all = new ArrayList<>(List.of("--runner=" + RUNNER));
    all.addAll(List.of(args));
    return PipelineOptionsFactory.fromArgs(RunnerDefaults.apply(all, pipeline).toArray(new String[0])).as(type);
  }

  private static void microBatch(String sink, Path landing, long unique) throws Exception {
    PipelineResult r = MicroBatchLoadPipeline.run(options(MicroBatchLoadPipeline.Options.class,
        MicroBatchLoadPipeline.NAME, "--landing=" + landing + "/part-*", "--sink=" + sink, "--batchFiles=2"));
    assertEquals(PipelineResult.State.DONE, r.waitUntilFinish());
    assertEquals(unique, RunCounts.of(r).valid(), "the benchmark must load the right rows");
  }

  /** The ingest pipeline's read and ETL, written by {@code write}. */
  private static void ingestEtlInto(String source, PTransform<PCollection<Row>, ?> write) throws Exception {
    IngestPipeline.Options o = options(IngestPipeline.Options.class, IngestPipeline.NAME, "--source=" + source);
    Pipeline p = Pipeline.create(o);
    p.apply("ReadRecords", Endpoints.source(source, false).read())
        .apply("IngestEtl", IngestEtl.batch(EtlSpec.identity(), Duration.standardMinutes(10), null))
        .get(IngestEtl.ROWS)
        .apply("Write", write);
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }

  /** The in-memory rows written by {@code write}; {@code db} (if any) must then hold every one. */
  private static void writeRows(String db, PTransform<PCollection<Row>, ?> write) throws Exception {
    Pipeline p = Pipeline.create(options(IngestPipeline.Options.class, IngestPipeline.NAME));
    p.apply("Indexes", GenerateSequence.from(0).to(InMemoryRows.size()))
        .apply("Rows", ParDo.of(new InMemoryRows()))
        .setRowSchema(InteractionsTable.SCHEMA)
        .apply("Write", write);
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    if (db != null) {
      assertEquals(InMemoryRows.size(), Tables.postgres(db).count("SELECT count(*) FROM interactions"));
    }
  }

  /** Looks each index up in a list held in this JVM (the embedded runners run here too). */
  static final class InMemoryRows extends DoFn<Long, Row> {
    private static volatile List<Row> rows = List.of();

    static void set(List<Row> all) {
      rows = all;
    }

    static long size() {
      return rows.size();
    }

    @ProcessElement
    public void process(@Element Long index, OutputReceiver<Row> out) {
      out.output(rows.get(index.intValue()));
    }
  }

  /** Drops every row: the job's cost without a sink. */
  private static PTransform<PCollection<Row>, PCollection<Row>> discard() {
    return Filter.by(row -> false);
  }

  /** JdbcIO's defaults, writing the same upsert as the meshflow sink into a table created here. */
  private static JdbcIO.Write<Row> jdbcIoWrite(String db) throws Exception {
    Endpoints.sink(Postgres.sinkUri(db))
        .createTable(InteractionsTable.TABLE, InteractionsTable.SCHEMA, InteractionsTable.KEY);
    return JdbcIO.<Row>write()
        .withDataSourceConfiguration(JdbcIO.DataSourceConfiguration.create(
            "org.postgresql.Driver", "jdbc:postgresql://127.0.0.1:" + Postgres.port() + "/" + db)
            .withUsername("postgres"))
        .withStatement(RowSql.upsertSql(InteractionsTable.TABLE, InteractionsTable.SCHEMA,
            InteractionsTable.KEY, 1))
        .withPreparedStatementSetter((row, st) -> RowSql.bind(st, 0, row));
  }

  /** The landed files in the batches micro-batch-load makes of them with --batchFiles=2. */
  private static List<List<String>> batchesOfTwo(List<String> files) {
    List<List<String>> batches = new ArrayList<>();
    for (int i = 0; i < files.size(); i += 2) {
      batches.add(files.subList(i, Math.min(files.size(), i + 2)));
    }
    return batches;
  }

  /**
   * DuckDB's own load of {@code files} into {@code interactions}: typed columns, lines it cannot
   * read skipped ({@code ignore_errors}), the first row per event_id, existing keys kept.
   */
  private static String readJsonIntoInteractions(List<String> files) {
    return "INSERT INTO interactions (event_id, event_ts, user_id, item_id, item_type, event_type,"
        + " device, device_filled, session_id, duration_ms, source_origin)"
        + " SELECT DISTINCT ON (event_id) event_id, CAST(ts AS TIMESTAMP), user_id, item_id,"
        + " item_type, event_type, device, false, session_id, duration_ms, filename"
        + " FROM read_json(['" + String.join("', '", files) + "'], format = 'newline_delimited',"
        + " ignore_errors = true, filename = true, columns = " + COLUMNS.replace("ts: 'VARCHAR'", "ts: 'TIMESTAMPTZ'") + ")"
        + " WHERE event_id IS NOT NULL AND ts IS NOT NULL AND item_id IS NOT NULL"
        + " AND item_type IS NOT NULL AND event_type IS NOT NULL"
        + " ON CONFLICT (event_id) DO NOTHING";
  }

  private static String csv(Iterable<Row> rows) {
    StringBuilder out = new StringBuilder();
    for (Row r : rows) {
      for (int i = 0; i < r.getFieldCount(); i++) {
        Object v = r.getValue(i);
        out.append(i == 0 ? "" : ",");
        if (v instanceof org.joda.time.ReadableInstant) {
          out.append(RowSql.utc(((org.joda.time.ReadableInstant) v).getMillis()));
        } else if (v instanceof String) {
          out.append('"').append(((String) v).replace("\"", "\"\"")).append('"');
        } else if (v != null) {
          out.append(v);
        }
      }
      out.append('\n');
    }
    return out.toString();
  }

  interface Work {
    void run() throws Exception;
  }

  private static double timed(Work work) throws Exception {
    long t0 = System.nanoTime();
    work.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double best(int times, Work work) throws Exception {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < times; i++) {
      best = Math.min(best, timed(work));
    }
    return best;
  }
}
