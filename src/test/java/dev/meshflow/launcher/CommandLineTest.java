package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.pipelines.ingest.IngestPipeline;
import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.TempFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's commands, exit codes and messages, as a user meets them. */
public class CommandLineTest {
  @TempDir Path tmp;

  private String out;
  private String err;

  private int run(String... args) {
    CliRun run = CliRun.of(Arrays.asList(args));
    out = run.out;
    err = run.err;
    return run.code;
  }

  private void assertOneLineError(int code, String... parts) {
    assertEquals(Main.USAGE, code, err);
    assertEquals(1, err.strip().lines().count(), "one line, no stack trace: " + err);
    assertThat(err, containsString("meshflow: error: "));
    assertFalse(err.matches("(?s).*\\b(dev\\.meshflow|org\\.apache)\\.\\w.*"), "no Java names in a usage error: " + err);
    for (String part : parts) {
      assertThat(err, containsString(part));
    }
  }

  @Test
  public void listNamesEveryPipeline() {
    assertEquals(Main.OK, run("list"));
    assertThat(out, containsString("interaction-analytics"));
    assertThat(out, containsString("per item per minute"));
  }

  @Test
  public void helpExplainsEveryOptionWithItsDefault() {
    assertEquals(Main.OK, run("interaction-analytics", "--help"));
    for (String option : new String[] {"--source", "--sink", "--allowedLateness", "--dedupeWindow",
        "--earlyFiringInterval", "--progressSeconds", "--verbose", "--runner", "--streaming",
        "--flinkMaster", "--sparkMaster"}) {
      assertThat(out, containsString(option + "   (default: "));
    }
    assertThat(out, containsString("(default: duckdb:warehouse/meshflow.duckdb)"));
    assertThat(out, containsString("--targetParallelism   (default: max(cores,3))"));
    assertEquals(Main.OK, run("micro-batch-load", "--help"));
    assertThat("the launcher's own default for this pipeline", out,
        containsString("--targetParallelism   (default: 1 (launcher, for this pipeline))"));
  }

  @Test
  public void usageErrorsAreOneLineWithWhatIsAccepted() {
    assertOneLineError(run("interaction-analitics"),
        "unknown pipeline 'interaction-analitics'", "available: interaction-analytics");
    assertOneLineError(run("interaction-analytics", "--sorce=file:x"),
        "unknown option --sorce; did you mean --source?", "--help lists the options");
    assertOneLineError(run("ingest", "--sink=duckdb:" + tmp + "/no/such/dir/x.duckdb"),
        "the folder " + tmp + "/no/such/dir does not exist", "createFolder=true");
    assertOneLineError(run("interaction-analytics", "--source=kafak://x/t"),
        "unknown scheme 'kafak'", "accepted: generator, file");
    assertOneLineError(run("interaction-analytics", "--source=file:" + tmp + "/none/*.jsonl"),
        "no file matches");
    assertOneLineError(run("interaction-analytics", "--allowedLateness=soon"),
        "--allowedLateness=soon is not a duration");
    assertOneLineError(run("interaction-analytics", "--earlyFiringInterval=5s"),
        "only applies with --streaming");
    assertOneLineError(run("interaction-analytics", "stray"), "unexpected argument 'stray'");
    assertOneLineError(run("interaction-analytics", "--runner=SparkRunner", "--streaming"),
        "SparkRunner's streaming mode rejects event-time timers", "DirectRunner or FlinkRunner");
    assertOneLineError(run("query", "--db=" + tmp + "/missing.duckdb"), "no warehouse at");
    assertOneLineError(run("ingest", "--mode=etl2"), "--mode=etl2 is not one of etl, elt");
    assertEquals(java.util.List.of("--mode=ELT", "--sink=elt"),
        dev.meshflow.launcher.EnumOptionValues.normalize(java.util.List.of("--mode=elt", "--sink=elt"),
            IngestPipeline.Options.class), "an enum option's value in any case");
    assertOneLineError(run("micro-batch-load", "--sink=console:"), "cannot load micro-batches",
        "use a warehouse sink, duckdb:<file> or postgresql://");
    assertOneLineError(run("interaction-analytics", "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:8081",
        "--sink=duckdb:" + tmp + "/cluster.duckdb"), "admits one writing process",
        "FlinkRunner runs this job on a cluster's workers; write to PostgreSQL");
    assertOneLineError(run("interaction-analytics", "--runner=SparkRunner", "--sparkMaster=spark://127.0.0.1:7077"),
        "admits one writing process", "SparkRunner runs this job on a cluster's workers");
  }

  @Test
  public void aRunPrintsASummaryAndQueryShowsTheResult() {
    String db = tmp + "/cli.duckdb";
    int code = run("interaction-analytics", "--source=generator:interactions?events=2000&seed=3",
        "--sink=duckdb:" + db, "--progressSeconds=0");
    assertEquals(Main.OK, code, err);
    assertThat(out, containsString("interaction-analytics finished"));
    assertThat(out, containsString("read          2,000 records"));
    assertThat(out, containsString("conservation  read 2,000 = valid + duplicates + dead letters"));
    assertThat(out, not(containsString("MISMATCH")));
    assertThat(out, not(containsString("nothing was read")));
    assertThat(out, containsString("item_minute_stats"));

    assertEquals(Main.OK, run("query", "--db=" + db,
        "SELECT count(*) AS windows FROM item_minute_stats WHERE plays > 0"), err);
    assertThat(out, containsString("windows"));
    assertThat(out, containsString("(1 row)"));
    assertEquals(Main.OK, run("query", "--db=" + db), err);
    assertThat(out, containsString("dead_letter"));
    assertThat(out, containsString("item_minute_stats"));
  }

  @Test
  public void theMeshCommandsExplainTheirOptionsAndRefuseBadOnes() {
    assertEquals(Main.OK, run("ingest-api", "--help"), err);
    for (String option : new String[] {"--port=N", "--bind=ADDRESS", "--bootstrap=HOST:PORT", "--maxBodyBytes=N",
        "--catalog=DIR", "422"}) {
      assertThat(out, containsString(option));
    }
    assertEquals(Main.OK, run("produce", "--help"), err);
    assertThat(out, containsString("--set=P/KEY.FIELD=VALUE"));
    assertEquals(Main.OK, run("catalog", "--help"), err);
    assertThat(out, containsString("check PRODUCT FILE"));
    assertOneLineError(run("ingest-api", "--port=99999"), "ingest-api: --port=99999 is not a whole number from 0 to 65535");
    assertOneLineError(run("ingest-api", "--prot=8080"), "ingest-api: unknown option --prot=8080", "ingest-api --help");
    assertOneLineError(run("catalog", "read", "songs", "--limit=0", "--catalog=" + System.getProperty("java.io.tmpdir")
        + "/no-catalog-here"), "no catalog at");
  }

  /** What ./meshflow stop says before it reaches a cluster (FlinkClusterFaultsTest stops a real job with it). */
  @Test
  public void stopExplainsItsOptionsAndNamesWhatIsMissing() throws Exception {
    assertEquals(Main.OK, run("stop", "--help"), err);
    for (String option : new String[] {"--flinkMaster=HOST:PORT", "--job=NAME|ID", "--savepointDir=URI", "--drain",
        "--savepointPath"}) {
      assertThat(out, containsString(option));
    }
    assertOneLineError(run("stop", "--job=ingest"), "stop: --flinkMaster=HOST:PORT names the cluster's JobManager");
    assertOneLineError(run("stop", "--flinkMaster=127.0.0.1:8081"), "stop: --job=NAME|ID names the job");
    assertOneLineError(run("stop", "--flinkMaster=127.0.0.1:8081", "--job=ingest", "--timeoutSeconds=soon"),
        "stop: --timeoutSeconds=soon is not a whole number");
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    assertOneLineError(run("stop", "--flinkMaster=127.0.0.1:" + closedPort, "--job=ingest"),
        "stop: no Flink JobManager answers at 127.0.0.1:" + closedPort);
  }

  @Test
  public void queryAndGenerateExplainTheirOptions() {
    assertEquals(Main.OK, run("query", "--help"), err);
    assertThat(out, containsString("--db=WAREHOUSE   (default: warehouse/meshflow.duckdb)"));
    assertThat(out, containsString("postgresql://"));
    assertThat(out, containsString("read-only"));
    assertEquals(Main.OK, run("generate", "--help"), err);
    for (String option : new String[] {"GENERATOR-URI", "--zones", "--products"}) {
      assertThat(out, containsString(option));
    }
    assertEquals(Main.OK, run("--help"), err);
    assertThat(out, containsString("query, generate, catalog, access, lineage, produce, ingest-api, serve, dashboard"
        + " and stop explain their options with --help."));
    for (String command : new String[] {"catalog <command>", "produce [options]", "ingest-api [options]", "serve [options]",
        "dashboard [options]", "stop --flinkMaster=H:P --job=NAME"}) {
      assertThat(out, containsString(command));
    }
    assertOneLineError(run("query", "--database=x"), "unknown option --database=x", "query --help");
    assertOneLineError(run("query", "--db=console:"), "--db=console:", "not a warehouse");
    assertOneLineError(run("query", "--db=postgresql:nohost"), "--db=postgresql:nohost", "expected postgresql://");
    assertEquals(Main.OK, run("serve", "--help"), err);
    for (String option : new String[] {"--store=WAREHOUSE", "--port=N", "--bind=ADDRESS", "--threads=N", "GET /openapi.json"}) {
      assertThat(out, containsString(option));
    }
    assertOneLineError(run("serve", "--store=console:"), "--store=console:", "not a warehouse");
    assertOneLineError(run("serve", "--threads=0"), "--threads", "0");
    assertOneLineError(run("serve", "--as=x"), "unknown option --as", "serve --help");
    assertEquals(Main.OK, run("dashboard", "--help"), err);
    for (String option : new String[] {"--db=WAREHOUSE", "--port=N", "--bind=ADDRESS", "--refreshSeconds=N",
        "--lineageFile=FILE", "--catalog=DIR", "takes no", "SQL from the browser"}) {
      assertThat(out, containsString(option));
    }
    assertOneLineError(run("dashboard", "--db=console:"), "--db=console:", "not a warehouse");
    assertOneLineError(run("dashboard", "--refreshSeconds=0"), "--refreshSeconds", "0");
    assertOneLineError(run("dashboard", "--sink=x"), "unknown option --sink", "dashboard --help");
  }

  /**
   * A run into PostgreSQL suggests a look that needs no psql and carries no password, and that
   * look works against the real database, read-only.
   */
  @Test
  public void aPostgresRunSuggestsAReadOnlyQueryWithoutItsPassword() throws Exception {
    String database = dev.meshflow.testing.services.Postgres.newDatabase("cli_look");
    String sink = dev.meshflow.testing.services.Postgres.sinkUri(database);
    int code = run("ingest", "--source=generator:interactions?events=800&seed=4",
        "--sink=" + sink + "&password=s3cret", "--progressSeconds=0");
    assertEquals(Main.OK, code, err);
    assertThat(out + err, not(containsString("s3cret")));
    String look = out.lines().filter(l -> l.strip().startsWith("look ")).findFirst().orElseThrow();
    assertThat(look, containsString("./meshflow query --db='" + sink + "' \""));
    assertThat(look, not(containsString("psql")));

    long rows = dev.meshflow.testing.Tables.postgres(database).count("SELECT count(*) FROM interactions");
    assertTrue(rows > 0, "rows written: " + rows);
    assertEquals(Main.OK, run("query", "--db=" + sink), err);
    assertThat(out, containsString("dead_letter"));
    assertTrue(java.util.regex.Pattern
        .compile("(?m)^interactions +\\| +" + rows + " +\\| +14$").matcher(out).find(), "exact row count and 14 columns: " + out);
    assertEquals(Main.OK, run("query", "--db=" + sink, "SELECT count(*) AS n FROM interactions"), err);
    assertThat(out, containsString("\n" + rows + "\n"));

    assertEquals(Main.FAILED, run("query", "--db=" + sink, "DELETE FROM interactions RETURNING 1"));
    assertThat(err, containsString("read-only transaction"));
    assertEquals(rows, dev.meshflow.testing.Tables.postgres(database).count("SELECT count(*) FROM interactions"));
  }

  /** A batch run that read nothing says so, rather than only a row of zeros. */
  @Test
  public void aRunThatReadNothingSaysSo() throws Exception {
    String landing = TempFiles.newFolder(tmp, "empty-landing") + "/*.jsonl*";
    int code = run("micro-batch-load", "--landing=" + landing,
        "--sink=duckdb:" + tmp + "/empty.duckdb", "--progressSeconds=0");
    assertEquals(Main.OK, code, err);
    assertThat(out, containsString("read          0 records"));
    assertThat(out, containsString("dead letters  0\n"));
    assertThat(out, containsString("written       nothing"));
    assertThat(out, containsString("note          nothing was read from landed files " + landing
        + "; is that the input you meant?"));
  }

  @Test
  public void theSummaryShowsEachPipelinesOwnCounters() {
    int code = run("anomaly-model", "--clicks=generator:clicks?events=8000&seed=5&persons=500",
        "--trainWindow=1h", "--trainEvery=30m", "--models=" + tmp + "/models",
        "--sink=duckdb:" + tmp + "/anomaly.duckdb", "--progressSeconds=0");
    assertEquals(Main.OK, code, err);
    assertThat(out, containsString("anomaly-model finished"));
    assertThat("the summary says where the models went", out,
        containsString("models        " + tmp + "/models ("));
    java.util.regex.Matcher trained = java.util.regex.Pattern.compile("also counted .*models_trained ([0-9,]+)").matcher(out);
    org.junit.jupiter.api.Assertions.assertTrue(trained.find(), out);
    long models = Long.parseLong(trained.group(1).replace(",", ""));
    org.junit.jupiter.api.Assertions.assertTrue(models > 0, "models trained: " + models);
    String[] files = new java.io.File(tmp.toFile(), "models").list((d, n) -> n.endsWith(".json") || n.endsWith(".model"));
    org.junit.jupiter.api.Assertions.assertNotNull(files);
    org.junit.jupiter.api.Assertions.assertTrue(files.length >= models, "the summary's count matches the model files written: " + java.util.Arrays.toString(files));
  }

  /**
   * A run that fails inside the runner prints one line with the error that has the context (the
   * driver's message naming the host it could not reach), not the bare root cause the runner's
   * wrappers end in, and the root cause after it.
   */
  @Test
  public void aFailedRunNamesWhatFailedInOneLine() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    int code = run("ingest", "--source=generator:interactions?events=50&seed=1",
        "--sink=postgresql://127.0.0.1:" + closedPort + "/meshflow?user=me&password=hunter22",
        "--progressSeconds=0");
    assertEquals(Main.FAILED, code, err);
    String line = err.lines().filter(l -> l.startsWith("meshflow: failed: ")).findFirst().orElse(err);
    assertThat(line, containsString("PSQLException: Connection to 127.0.0.1:" + closedPort + " refused"));
    assertThat(line, containsString("(cause: ConnectException: Connection refused"));
    assertThat(err + out, not(containsString("hunter22")));
  }

  /**
   * A Kafka broker that is down fails a local run within seconds, by its address, instead of a
   * minute of reading nothing; a broker that is up passes the same check and the run reads.
   */
  @Test
  public void aKafkaBrokerThatIsDownFailsFastByName() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    long start = System.nanoTime();
    int code = run("ingest", "--source=kafka://127.0.0.1:" + closedPort + "/interactions?maxRecords=10",
        "--sink=duckdb:" + tmp + "/down.duckdb", "--progressSeconds=0");
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(Main.FAILED, code, err);
    assertThat(err, containsString("meshflow: failed: --source=kafka://127.0.0.1:" + closedPort
        + "/interactions?maxRecords=10: nothing listens at 127.0.0.1:" + closedPort + " (connection refused)"));
    assertTrue(seconds < 10, "failed after " + seconds + " s, not after a timeout");
    assertThat(out, not(containsString("meshflow: running")));

    // Something listens but never answers as a broker would: the cluster-id request times out.
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
      String address = "127.0.0.1:" + silent.getLocalPort();
      start = System.nanoTime();
      code = run("ingest", "--source=kafka://" + address + "/interactions?maxRecords=10",
          "--sink=duckdb:" + tmp + "/silent.duckdb", "--progressSeconds=0");
      seconds = (System.nanoTime() - start) / 1e9;
      assertEquals(Main.FAILED, code, err);
      assertThat(err, containsString("no Kafka broker answered at " + address + " within 10 s"));
      assertTrue(seconds < 40, "failed after " + seconds + " s, not KafkaIO's minute");
    }

    dev.meshflow.testing.services.KafkaBroker kafka = dev.meshflow.testing.services.KafkaBroker.shared();
    kafka.createTopic("launcher-check", 1);
    kafka.produceEvenly("launcher-check", java.util.Collections.nCopies(6,
        "{\"event_id\":\"e1\"}".getBytes(StandardCharsets.UTF_8)), 1);
    code = run("ingest", "--source=kafka://" + kafka.bootstrap() + "/launcher-check?maxRecords=6",
        "--sink=duckdb:" + tmp + "/up.duckdb", "--progressSeconds=0");
    assertEquals(Main.OK, code, err);
    assertThat(out, containsString("read          6 records"));
  }

  /**
   * A gzip file cut short does not fail a file-reading run: the summary counts it as an
   * unreadable-file dead letter, and the dead letter names the file.
   */
  @Test
  public void aCompressedFileCutShortIsADeadLetter() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(bytes)) {
      for (int i = 0; i < 2000; i++) {
        zip.write(("{\"event_id\":\"e" + i + "\",\"ts\":\"2026-03-08T00:00:00Z\"}\n")
            .getBytes(StandardCharsets.UTF_8));
      }
    }
    java.nio.file.Path cut = tmp.resolve("cut.jsonl.gz");
    java.nio.file.Files.write(cut, java.util.Arrays.copyOf(bytes.toByteArray(), bytes.size() / 2));
    int code = run("interaction-analytics", "--source=file:" + cut,
        "--sink=duckdb:" + tmp + "/cut.duckdb", "--progressSeconds=0");
    assertEquals(Main.OK, code, err);
    assertThat(out, containsString("unreadable-file 1)"));
    assertEquals(1, dev.meshflow.testing.Tables.duckDb(tmp + "/cut.duckdb").count(
        "SELECT count(*) FROM dead_letter WHERE stage = 'unreadable-file' AND origin = 'file:" + cut
            + "#unreadable' AND reason LIKE 'cannot read " + cut + " after line %'"));
  }

  /**
   * Pipelines share option names with their own defaults (--models, --modelsRefresh, ...). Beam
   * refuses that once both interfaces are registered in one JVM, so the launcher must not register
   * them: one launcher JVM (a notebook, a test run) may start several pipelines.
   */
  @Test
  public void pipelinesWithTheSameOptionNamesRunInOneJvm() {
    for (String pipeline : new String[] {"anomaly-model", "skip-model", "anomaly-scoring", "skip-scoring"}) {
      assertOneLineError(run(pipeline, "--runner=NoSuchRunner"), "NoSuchRunner");
      assertThat(err, not(containsString("contradictory")));
    }
  }
}
