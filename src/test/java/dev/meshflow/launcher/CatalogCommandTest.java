package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.mesh.contract.Contracts;
import dev.meshflow.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog commands as a user types them: discover products, gate a change, register, deprecate. */
public class CatalogCommandTest {
  @TempDir Path dir;
  private String catalogOption;

  @BeforeEach
  void init() {
    catalogOption = "--catalog=" + dir.resolve("catalog");
    CliRun init = CliRun.of(List.of("catalog", "init", catalogOption));
    assertEquals(0, init.code, init.err);
    assertThat(init.out, containsString("added users, songs, podcasts, interactions"));
  }

  private CliRun catalog(String... words) {
    List<String> args = new ArrayList<>(List.of("catalog"));
    args.addAll(List.of(words));
    args.add(catalogOption);
    return CliRun.of(args);
  }

  private String file(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f.toString();
  }

  @Test
  public void listShowAndSearchDescribeTheProducts() {
    CliRun list = catalog("list");
    assertEquals(0, list.code, list.err);
    assertEquals(5, list.out.lines().count(), list.out);
    assertThat(list.out, containsString("songs          songs          songs-catalog          active"
        + "      1.0.0     v1 (id 2)     kafka, postgres"));
    CliRun show = catalog("show", "users");
    assertEquals(0, show.code, show.err);
    assertThat(show.out, containsString("owner         users-accounts, users domain"));
    assertThat(show.out, containsString("email            string                 required, PII"));
    assertThat(show.out, containsString("users-stream         kafka 127.0.0.1:9092 topic users (avro)"));
    assertThat(show.out, containsString("SLA           freshness 5 s, allowed lateness 10 min"));
    assertThat(show.out, containsString("schema        v1 (id 1)"));
    CliRun search = catalog("search", "genre");
    assertEquals("songs          description, field genre\n", search.out);
  }

  @Test
  public void checkIsTheGateAProducerRunsInItsCi() throws Exception {
    CliRun ok = catalog("check", "songs", file("songs-1.1.0.odcs.yaml", Contracts.songsWithExplicitFlag()));
    assertEquals(0, ok.code, ok.out + ok.err);
    assertThat(ok.out, containsString("is BACKWARD compatible with its 1 registered version"));
    CliRun breaking = catalog("check", "songs", file("songs-2.0.0.odcs.yaml", Contracts.songsBreaking()));
    assertEquals(1, breaking.code, breaking.out + breaking.err);
    assertThat(breaking.out, containsString("is not BACKWARD compatible (2 reasons):"));
    assertThat(breaking.out, containsString("  duration_ms: type long cannot be read as int; BACKWARD"
        + " forbids it (the new schema could not read version 1's records)"));
    assertThat(breaking.out, containsString("  label: added without a default, and the older records"
        + " lack it; BACKWARD forbids it"));
    CliRun brokenContract = catalog("check", "songs",
        file("songs-typo.odcs.yaml", Contracts.edit(Contracts.shipped("songs"), "type: kafka", "type: kafak")));
    assertEquals(2, brokenContract.code);
    assertThat(brokenContract.err, startsWith("meshflow: error: " + dir.resolve("songs-typo.odcs.yaml")));
    assertThat(brokenContract.err, containsString("servers[0].type: 'kafak' is not one of kafka,"));
    assertEquals(1, brokenContract.err.lines().count(), brokenContract.err);
  }

  @Test
  public void registerRefusesABreakingVersionWithTheGatesReasonsAndAcceptsACompatibleOne() throws Exception {
    CliRun refused = catalog("register", file("songs-2.0.0.odcs.yaml", Contracts.songsBreaking()));
    assertEquals(1, refused.code);
    assertThat(refused.err, containsString("meshflow: refused: songs: not BACKWARD compatible"));
    assertThat(refused.err, containsString("  label: added without a default"));
    CliRun accepted = catalog("register", file("songs-1.1.0.odcs.yaml", Contracts.songsWithExplicitFlag()));
    assertEquals(0, accepted.code, accepted.err);
    assertEquals("songs: contract 1.1.0 registered; schema version 2 (id 5)\n", accepted.out);
    assertThat(catalog("show", "songs").out, containsString("schema        v1 (id 2), v2 (id 5)"));
    CliRun deprecated = catalog("deprecate", "podcasts");
    assertEquals(0, deprecated.code, deprecated.err);
    assertThat(catalog("list").out, containsString("podcasts       podcasts       podcasts-studio"
        + "        deprecated"));
  }

  @Test
  public void publishPutsTheCatalogInTheWarehouseForSql() throws Exception {
    // PostgreSQL: a DuckDB file cannot be open read-write and read-only in one JVM, as it would be
    // here between publish and query (two processes, as a user runs them, are fine).
    String db = "--db=" + dev.meshflow.testing.services.Postgres.sinkUri(
        dev.meshflow.testing.services.Postgres.newDatabase("catalog_tables"));
    CliRun published = catalog("publish", db);
    assertEquals(0, published.code, published.err);
    assertThat(published.out, containsString("catalog: 4 products, 4 schema versions and 26 fields written to"
        + " mesh_products, mesh_product_versions and mesh_product_fields in PostgreSQL "));
    assertThat(published.out, containsString("look     ./meshflow query"));
    CliRun owners = CliRun.of(List.of("query", db, "SELECT product, owner, latest_schema_id FROM mesh_products"
        + " ORDER BY product"));
    assertEquals(0, owners.code, owners.err);
    assertThat(owners.out, containsString("songs        | songs-catalog       |                2"));
    assertEquals(0, catalog("register", file("songs-1.1.0.odcs.yaml", Contracts.songsWithExplicitFlag())).code);
    assertEquals(0, catalog("publish", db).code); // replaces the content: no row twice
    CliRun pii = CliRun.of(List.of("query", db, "SELECT product || '.' || field AS field FROM mesh_product_fields"
        + " WHERE pii"));
    assertThat(pii.out, containsString("users.email"));
    assertThat(pii.out, containsString("(1 row)"));
    CliRun versions = CliRun.of(List.of("query", db, "SELECT count(*) AS versions, max(schema_id) AS newest"
        + " FROM mesh_product_versions WHERE product = 'songs'"));
    assertThat(versions.out, containsString("       2 |      5"));
    CliRun fields = CliRun.of(List.of("query", db, "SELECT count(*) AS n FROM mesh_product_fields"));
    assertThat(fields.out, containsString("27"));
  }

  @Test
  public void mistakesGetOneLineAndUsageExitCodes() {
    CliRun unknownProduct = catalog("show", "albums");
    assertEquals(2, unknownProduct.code);
    assertThat(unknownProduct.err, containsString("no product 'albums' in the catalog at "));
    assertThat(unknownProduct.err, containsString("it has: interactions, podcasts, songs, users"));
    assertEquals(2, catalog("fly").code);
    assertEquals(2, catalog("show").code);
    assertEquals(2, catalog("check", "songs", dir.resolve("missing.yaml").toString()).code);
    CliRun noCatalog = CliRun.of(List.of("catalog", "list", "--catalog=" + dir.resolve("elsewhere")));
    assertEquals(2, noCatalog.code);
    assertThat(noCatalog.err, containsString("catalog init --catalog="));
    CliRun help = CliRun.of(List.of("catalog", "--help"));
    assertEquals(0, help.code);
    assertThat(help.out, containsString("check PRODUCT FILE"));
  }
}
