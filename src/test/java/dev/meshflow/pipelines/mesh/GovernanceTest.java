package dev.meshflow.pipelines.mesh;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.domains.DomainDatabase;
import dev.meshflow.io.mesh.domains.DomainSimulator;
import dev.meshflow.io.mesh.domains.OutboxWriter;
import dev.meshflow.io.mesh.governance.PiiHmac;
import dev.meshflow.launcher.Main;
import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Governance as a user meets it, through the launcher: a consumer domain without a grant is
 * refused before anything is read; the grant workflow (request, approve by the owner, revoke)
 * decides the next run; a grant without PII delivers the Users product's e-mail only as a keyed
 * hash, a PII grant delivers it raw; every decision is in the audit trail; a hand-edited grant
 * log, a bad name and a query naming a personal field are refused; the key never shows.
 */
public class GovernanceTest {
  @TempDir static Path dir;
  static Path catalog;
  static String db;
  /** The Users product's table in the domain database: user_id to e-mail. */
  static Map<String, String> emails = new TreeMap<>();
  static final List<String> printed = new ArrayList<>();

  @BeforeAll
  static void domains() throws Exception {
    catalog = dir.resolve("catalog");
    MeshCatalog.init(catalog);
    MeshCatalog open = MeshCatalog.open(catalog);
    List<DataContract> domains = List.of("users", "songs", "podcasts").stream().map(open::product).toList();
    db = Postgres.newDatabase("governance");
    try (Connection c = Postgres.connect(db)) {
      DomainDatabase.create(c, domains);
      new OutboxWriter(c, domains, open.registry()).write(new DomainSimulator(3, DomainSimulator.Sizes.DEFAULT).initial());
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT user_id, email FROM users.users")) {
        while (rs.next()) {
          emails.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    assertTrue(emails.size() > 10, "users in the domain database: " + emails.size());
  }

  /** A row of {@code access audit} whose columns after the time begin with {@code columns}. */
  private static void hasRow(String table, String... columns) {
    String wanted = String.join(" ", columns);
    for (String line : table.split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length > 2 && String.join(" ", java.util.Arrays.copyOfRange(words, 2, words.length)).startsWith(wanted)) {
        return;
      }
    }
    throw new AssertionError("no audit row " + wanted + " in\n" + table);
  }

  private static CliRun cli(String... args) {
    CliRun run = CliRun.of(List.of(args));
    printed.add(run.out);
    printed.add(run.err);
    return run;
  }

  private static String product(String name) throws Exception {
    return "--product=mesh://" + name + "?catalog=" + catalog + "&db="
        + java.net.URLEncoder.encode(Postgres.sinkUri(db), StandardCharsets.UTF_8);
  }

  private static CliRun copy(String domain, Path warehouse) throws Exception {
    return cli("product-copy", "--domain=" + domain, product("users"), "--sink=duckdb:" + warehouse,
        "--progressSeconds=0");
  }

  /** user_id to email as the consumer's copy holds it. */
  private static Map<String, String> copied(Path warehouse) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT user_id, email FROM users")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  /** Every value of every table in the warehouse, as text. */
  private static String everything(Path warehouse) throws Exception {
    StringBuilder all = new StringBuilder();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse); Statement st = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT table_name FROM duckdb_tables()")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        try (ResultSet rs = st.executeQuery("SELECT * FROM \"" + t + "\"")) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= n; i++) {
              all.append(rs.getString(i)).append('\t');
            }
            all.append('\n');
          }
        }
      }
    }
    return all.toString();
  }

  @Test
  public void aDomainReadsAProductOnlyAfterItsOwnerApprovesAndUntilItRevokes() throws Exception {
    Path refusedWarehouse = dir.resolve("refused.duckdb");
    CliRun refused = copy("recommendations", refusedWarehouse);
    assertEquals(Main.REFUSED, refused.code, refused.err);
    assertThat(refused.err, containsString("the recommendations domain holds no active grant to read users;"
        + " nothing was read. Ask for one: ./meshflow access request --domain=recommendations --product=users"));
    assertFalse(Files.exists(refusedWarehouse), "nothing was written");

    CliRun request = cli("access", "request", "--catalog=" + catalog, "--domain=recommendations",
        "--product=users", "--purpose=cold-start recommendations by country");
    assertEquals(Main.OK, request.code, request.err);
    String id = request.out.substring(0, request.out.indexOf(':'));
    assertThat(request.out, containsString("The users domain decides: ./meshflow access approve " + id + " --as=users"));
    CliRun pending = copy("recommendations", refusedWarehouse);
    assertEquals(Main.REFUSED, pending.code);
    assertThat(pending.err, containsString("(request " + id + " is pending"));

    CliRun wrongOwner = cli("access", "approve", id, "--as=recommendations", "--catalog=" + catalog);
    assertEquals(Main.REFUSED, wrongOwner.code, wrongOwner.out);
    assertThat(wrongOwner.err, containsString("only the users domain, which owns users, decides who reads it"));
    CliRun approved = cli("access", "approve", id, "--as=users", "--reason=country and tier only",
        "--catalog=" + catalog);
    assertEquals(Main.OK, approved.code, approved.err);

    Path warehouse = dir.resolve("recommendations.duckdb");
    CliRun granted = copy("recommendations", warehouse);
    assertEquals(Main.OK, granted.code, granted.err);
    Map<String, String> copy = copied(warehouse);
    assertEquals(emails.keySet(), copy.keySet());
    emails.forEach((user, email) -> assertEquals(PiiHmac.hash(email), copy.get(user), user));
    String all = everything(warehouse);
    for (String email : emails.values()) {
      assertThat("no raw e-mail in any table", all, not(containsString(email)));
    }
    assertThat(all, not(containsString("@")));

    CliRun revoked = cli("access", "revoke", id, "--as=users", "--reason=purpose ended", "--catalog=" + catalog);
    assertEquals(Main.OK, revoked.code, revoked.err);
    CliRun after = copy("recommendations", dir.resolve("after.duckdb"));
    assertEquals(Main.REFUSED, after.code);
    assertThat(after.err, containsString("(grant " + id + " was revoked by users)"));

    CliRun list = cli("access", "list", "--domain=recommendations", "--catalog=" + catalog);
    assertThat(list.out, containsString(id));
    assertThat(list.out, containsString("revoked"));
    CliRun audit = cli("access", "audit", "--catalog=" + catalog, "--limit=1000");
    hasRow(audit.out, "read", "refused", "recommendations", "recommendations", "users");
    hasRow(audit.out, "request", "pending", "recommendations", "recommendations", "users", id);
    hasRow(audit.out, "approve", "active", "users", "recommendations", "users", id);
    hasRow(audit.out, "read", "granted", "recommendations", "recommendations", "users", id);
    hasRow(audit.out, "revoke", "revoked", "users", "recommendations", "users", id);
  }

  @Test
  public void aPiiGrantDeliversRawValuesAndTheSameCopyRunsOnFlink() throws Exception {
    CliRun request = cli("access", "request", "--catalog=" + catalog, "--domain=support", "--product=users",
        "--pii", "--purpose=answer account e-mails");
    String id = request.out.substring(0, request.out.indexOf(':'));
    assertEquals(Main.OK, cli("access", "approve", id, "--as=users", "--catalog=" + catalog).code);
    Path raw = dir.resolve("support.duckdb");
    CliRun run = copy("support", raw);
    assertEquals(Main.OK, run.code, run.err);
    assertEquals(emails, copied(raw));

    // The analytics domain's shipped grant has no PII: on Flink, as on Direct, e-mails arrive hashed.
    Path flink = dir.resolve("flink.duckdb");
    ProductCopyPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner("FlinkRunner",
        product("users"), "--sink=duckdb:" + flink)).as(ProductCopyPipeline.Options.class);
    PipelineResult result = ProductCopyPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    options.as(org.apache.beam.sdk.options.PipelineOptions.class); // the run's options, unchanged
    Map<String, String> hashed = copied(flink);
    assertEquals(emails.keySet(), hashed.keySet());
    emails.forEach((user, email) -> assertEquals(PiiHmac.hash(email), hashed.get(user), user));
  }

  /** A contract that says drop: the field is never selected, and the copy has no such column. */
  @Test
  public void aContractThatDropsPersonalDataDeliversNoColumnForIt() throws Exception {
    Path dropping = dir.resolve("dropping");
    MeshCatalog.init(dropping);
    Path contract = dropping.resolve("products/users.odcs.yaml");
    String text = Files.readString(contract);
    assertThat(text, containsString("property: piiDelivery\n            value: hash"));
    Files.writeString(contract, text.replace("property: piiDelivery\n            value: hash",
        "property: piiDelivery\n            value: drop"));
    Path warehouse = dir.resolve("dropped.duckdb");
    CliRun run = cli("product-copy", "--product=mesh://users?catalog=" + dropping + "&db="
        + java.net.URLEncoder.encode(Postgres.sinkUri(db), StandardCharsets.UTF_8), "--sink=duckdb:" + warehouse,
        "--progressSeconds=0");
    assertEquals(Main.OK, run.code, run.err);
    List<String> columns = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT column_name FROM duckdb_columns() WHERE table_name = 'users'"
            + " ORDER BY column_index")) {
      while (rs.next()) {
        columns.add(rs.getString(1));
      }
    }
    assertEquals(List.of("user_id", "country", "signup_date", "tier", "birth_year_band"), columns);
    assertThat(everything(warehouse), not(containsString("@")));
  }

  @Test
  public void aQueryOnAProductsTableNeedsAGrantAndAPiiGrantForPersonalFields() throws Exception {
    String pg = Postgres.sinkUri(db);
    CliRun ungranted = cli("query", "--db=" + pg, "--catalog=" + catalog, "--domain=operations",
        "SELECT count(*) FROM users.users");
    assertEquals(Main.REFUSED, ungranted.code, ungranted.out);
    assertThat(ungranted.err, containsString("the operations domain holds no active grant to read users"));
    CliRun personal = cli("query", "--db=" + pg, "--catalog=" + catalog, "SELECT user_id, email FROM users.users");
    assertEquals(Main.REFUSED, personal.code, personal.out);
    assertThat(personal.err, containsString("does not cover personal data, and the query names email"));
    CliRun star = cli("query", "--db=" + pg, "--catalog=" + catalog, "SELECT * FROM \"users\".\"users\"");
    assertEquals(Main.REFUSED, star.code);
    CliRun allowed = cli("query", "--db=" + pg, "--catalog=" + catalog,
        "SELECT count(*) AS n FROM users.users WHERE tier <> 'email'");
    assertEquals(Main.OK, allowed.code, allowed.err);
    assertThat(allowed.out, containsString(String.valueOf(emails.size())));
  }

  @Test
  public void aHandEditedGrantLogAndBadNamesAreRefusedAndTheKeyNeverShows() throws Exception {
    Path edited = dir.resolve("edited");
    MeshCatalog.init(edited);
    Path log = edited.resolve("access/grants.jsonl");
    // An approval forged by a domain that does not own the product.
    Files.writeString(log, "{\"at\":\"2026-12-06T10:00:00Z\",\"event\":\"request\",\"grant\":\"g-15\",\"user\":\"x\","
        + "\"domain\":\"ops\",\"product\":\"users\",\"pii\":true,\"purpose\":\"p\",\"by\":\"ops\"}\n"
        + "{\"at\":\"2026-12-06T10:00:01Z\",\"event\":\"approve\",\"grant\":\"g-15\",\"user\":\"x\",\"by\":\"ops\"}\n",
        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    CliRun list = cli("access", "list", "--catalog=" + edited);
    assertEquals(Main.REFUSED, list.code);
    assertThat(list.err, containsString(log + ":30: approve of g-15 by 'ops': only the users domain"));
    assertThat(list.err, containsString("no access follows from it"));
    CliRun run = cli("product-copy", "--domain=analytics", "--product=mesh://users?catalog=" + edited,
        "--sink=duckdb:" + dir.resolve("edited.duckdb"));
    assertEquals(Main.REFUSED, run.code);
    assertFalse(Files.exists(dir.resolve("edited.duckdb")));

    Files.writeString(log, MeshCatalog.open(catalog).grants().file().getFileName().toString()); // not JSON
    assertThat(cli("access", "list", "--catalog=" + edited).err, containsString(log + ":1: not a JSON object"));

    for (String bad : List.of("../etc", "a;rm -rf", "x' OR '1'='1", "Users", "a/b")) {
      CliRun name = cli("access", "request", "--catalog=" + catalog, "--domain=" + bad, "--product=users",
          "--purpose=p");
      assertEquals(Main.USAGE, name.code, bad);
      assertThat(name.err, containsString("is not a domain name"));
      CliRun productName = cli("access", "request", "--catalog=" + catalog, "--domain=ml", "--product=" + bad,
          "--purpose=p");
      assertEquals(Main.USAGE, productName.code, bad);
      CliRun asDomain = cli("product-copy", "--domain=" + bad, product("users"), "--sink=console:");
      assertEquals(Main.USAGE, asDomain.code, bad);
    }

    String source = PiiHmac.keySource();
    String key = source.equals(PiiHmac.KEY_ENV) ? System.getenv(PiiHmac.KEY_ENV)
        : Files.readString(Path.of(source)).strip();
    assertThat(key.length(), org.hamcrest.Matchers.greaterThanOrEqualTo(16));
    List<String> seen = new ArrayList<>(printed);
    seen.add(Files.readString(catalog.resolve("access/audit.jsonl")));
    seen.add(Files.readString(catalog.resolve("access/grants.jsonl")));
    for (String text : seen) {
      assertThat(text, not(containsString(key)));
    }
    assertThat(PiiHmac.hash("a@b.c"), startsWith(PiiHmac.PREFIX));
  }

  /**
   * Revoking a grant stops a streaming run that reads under it: the launcher reads the grant log
   * every few seconds, cancels the run, and ends with exit code 3; the audit says why.
   */
  @Test
  public void revokingAGrantStopsAStreamingRunThatReadsUnderIt() throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "interactions-governed";
    String id = topicAndGrant(kafka, topic, 1, 2000, "dashboard");

    dev.meshflow.core.RunMetrics.resetLocal(); // this JVM's counts: the earlier copies' are not this run's
    java.util.concurrent.CompletableFuture<CliRun> running = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> cli("interaction-analytics", "--streaming=true", "--domain=dashboard", "--progressSeconds=0",
            "--source=mesh://interactions?catalog=" + catalog + "&bootstrap=" + kafka.bootstrap() + "&topic=" + topic,
            "--sink=duckdb:" + dir.resolve("live.duckdb")));
    dev.meshflow.testing.Await.until("the streaming run reads", java.time.Duration.ofSeconds(90),
        () -> dev.meshflow.core.RunMetrics.localSnapshot().getOrDefault(dev.meshflow.core.RunMetrics.READ, 0L),
        read -> read >= 2000 || running.isDone());
    assertFalse(running.isDone(), () -> "the run ended early: " + running.join().err);

    long revokedAt = System.nanoTime();
    assertEquals(Main.OK, cli("access", "revoke", id, "--as=interactions", "--reason=dashboard retired",
        "--catalog=" + catalog).code);
    CliRun stopped = running.get(60, java.util.concurrent.TimeUnit.SECONDS);
    System.out.printf("governance: the revoke stopped the streaming run %d ms later (the watch reads every %d s)%n",
        (System.nanoTime() - revokedAt) / 1_000_000, 2);
    assertEquals(Main.REFUSED, stopped.code, stopped.err);
    assertThat(stopped.err, containsString("grant " + id + " (dashboard reads interactions) was revoked by"
        + " interactions (dashboard retired); the streaming run of interaction-analytics was stopped"));
    assertThat(stopped.out, containsString("CANCELLED"));
    CliRun audit = cli("access", "audit", "--catalog=" + catalog, "--limit=1000");
    hasRow(audit.out, "stop", "stopped");
  }

  /**
   * On Flink the launcher's start waits for the streaming job, so a revoke ends the launcher's JVM
   * (its own process here, as a user runs it) through the hook that closes the sink: exit 3, the
   * reason printed, and a warehouse that opens afterwards.
   */
  @Test
  public void onFlinkARevokeEndsTheLauncherWithItsWarehouseClosed() throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "interactions-governed-flink";
    String id = topicAndGrant(kafka, topic, 2, 3000, "wallboard");

    Path warehouse = dir.resolve("flink-live.duckdb");
    Path log = dir.resolve("flink-revoke.log");
    List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-D" + PiiHmac.KEY_FILE_PROPERTY + "=" + PiiHmac.keySource()));
    jvm.addAll(dev.meshflow.testing.JavaCommand.QUICK_START);
    Process run = new ProcessBuilder(dev.meshflow.testing.JavaCommand.of(jvm, "dev.meshflow.launcher.Main", List.of(
        "interaction-analytics", "--runner=FlinkRunner", "--parallelism=2", "--streaming=true", "--domain=wallboard",
        "--progressSeconds=1", "--source=mesh://interactions?catalog=" + catalog + "&bootstrap=" + kafka.bootstrap()
            + "&topic=" + topic, "--sink=duckdb:" + warehouse)))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      java.util.regex.Pattern reading = java.util.regex.Pattern.compile("\\] read [1-9]");
      dev.meshflow.testing.Await.until("the Flink run reads", java.time.Duration.ofMinutes(3), () -> {
        assertTrue(run.isAlive(), () -> "the run ended early: " + read(log));
        return read(log);
      }, text -> reading.matcher(text).find());
      long revokedAt = System.nanoTime();
      assertEquals(Main.OK, cli("access", "revoke", id, "--as=interactions", "--reason=wallboard retired",
          "--catalog=" + catalog).code);
      assertTrue(run.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), () -> "still running: " + read(log));
      System.out.printf("governance: on Flink the revoke ended the launcher %d ms later%n",
          (System.nanoTime() - revokedAt) / 1_000_000);
      String printed = read(log);
      assertEquals(Main.REFUSED, run.exitValue(), printed);
      assertThat(printed, containsString("access ended: grant " + id + " (wallboard reads interactions) was revoked"
          + " by interactions (wallboard retired); the streaming run of interaction-analytics was stopped"));
      assertThat(printed, containsString("output closed: DuckDB " + warehouse));
    } finally {
      run.destroyForcibly();
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM duckdb_tables()")) {
      assertTrue(rs.next(), "the warehouse opens after the stop");
    }
  }

  /** A topic of generated interactions, and an approved grant for {@code domain} to read the product. */
  private static String topicAndGrant(KafkaBroker kafka, String topic, int partitions, int events, String domain)
      throws Exception {
    kafka.createTopic(topic, partitions);
    kafka.produceEvenly(topic, GeneratedInput.records("generator:interactions?events=" + events + "&seed=5", events,
        (origin, payload) -> payload), partitions);
    CliRun request = cli("access", "request", "--catalog=" + catalog, "--domain=" + domain,
        "--product=interactions", "--purpose=live " + domain);
    String id = request.out.substring(0, request.out.indexOf(':'));
    assertEquals(Main.OK, cli("access", "approve", id, "--as=interactions", "--catalog=" + catalog).code);
    return id;
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return "(" + e.getMessage() + ")";
    }
  }
}
