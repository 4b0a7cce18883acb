package dev.meshflow.io.mesh.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.mesh.contract.ContractException;
import dev.meshflow.io.mesh.contract.Contracts;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.registry.CompatibilityMode;
import dev.meshflow.io.mesh.registry.Incompatibility;
import dev.meshflow.io.mesh.registry.SchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog directory: products registered, evolved, refused, searched and deprecated. */
public class MeshCatalogTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  public void initShipsTheFourProductsEachWithItsSchemaAsVersionOne() {
    Path at = dir.resolve("catalog");
    List<String> added = new java.util.ArrayList<>(MeshCatalog.SHIPPED);
    added.add("grants"); // and the grants the shipped pipelines need
    assertEquals(added, MeshCatalog.init(at));
    assertEquals(14, MeshCatalog.open(at).grants().all().size());
    for (String product : List.of("interactions", "songs", "podcasts")) {
      assertTrue(MeshCatalog.open(at).grants().active("recommendations", product).isPresent(),
          "the recommender reads the " + product + " product under a shipped grant");
    }
    assertEquals(List.of(), MeshCatalog.init(at)); // a second init adds nothing
    MeshCatalog catalog = MeshCatalog.open(at);
    assertEquals(List.of("interactions", "podcasts", "songs", "users"),
        catalog.products().stream().map(DataContract::name).toList());
    for (String name : MeshCatalog.SHIPPED) {
      List<SchemaRegistry.Registered> versions = catalog.versions(name);
      assertEquals(1, versions.size(), name);
      assertEquals(1, versions.get(0).version());
    }
    assertEquals(List.of(1, 2, 3, 4), MeshCatalog.SHIPPED.stream()
        .map(n -> catalog.versions(n).get(0).id()).toList());
  }

  @Test
  public void aCompatibleContractBecomesTheNextVersionAndABreakingOneChangesNothing() throws Exception {
    Path at = dir.resolve("catalog");
    MeshCatalog.init(at);
    MeshCatalog catalog = MeshCatalog.open(at);
    Path contractFile = at.resolve("products/songs.odcs.yaml");
    String before = Files.readString(contractFile);

    Path breaking = write("songs-2.0.0.odcs.yaml", Contracts.songsBreaking());
    MeshCatalog.Verdict verdict = catalog.check("songs", breaking);
    assertEquals(CompatibilityMode.BACKWARD, verdict.mode());
    assertEquals(List.of("duration_ms", "label"),
        verdict.reasons().stream().map(Incompatibility::field).toList());
    SchemaRegistry.IncompatibleSchemaException refused = assertThrows(
        SchemaRegistry.IncompatibleSchemaException.class, () -> catalog.register(breaking));
    assertEquals(2, refused.reasons().size());
    assertEquals(before, Files.readString(contractFile));
    assertEquals(1, catalog.versions("songs").size());

    Path compatible = write("songs-1.1.0.odcs.yaml", Contracts.songsWithExplicitFlag());
    assertEquals(List.of(), catalog.check("songs", compatible).reasons());
    MeshCatalog.Registration r = catalog.register(compatible);
    assertTrue(r.newVersion());
    assertEquals(2, r.schema().version());
    assertEquals(5, r.schema().id());
    assertEquals("1.1.0", catalog.product("songs").version());
    assertEquals(Contracts.songsWithExplicitFlag(), Files.readString(contractFile));
    assertFalse(catalog.register(compatible).newVersion()); // the same contract again: no new version
  }

  @Test
  public void aCandidateThatLoosensTheModeIsCheckedUnderItsOwnModeAndAnAvscUnderTheProducts() throws Exception {
    Path at = dir.resolve("catalog");
    MeshCatalog.init(at);
    MeshCatalog catalog = MeshCatalog.open(at);
    Path loosened = write("songs-3.odcs.yaml",
        Contracts.edit(Contracts.songsBreaking(), "value: BACKWARD", "value: NONE"));
    MeshCatalog.Verdict verdict = catalog.check("songs", loosened);
    assertEquals(CompatibilityMode.NONE, verdict.mode());
    assertEquals(CompatibilityMode.BACKWARD, verdict.registeredMode());
    assertEquals(List.of(), verdict.reasons());

    Path avsc = write("songs.avsc", "{\"type\":\"record\",\"name\":\"Songs\",\"namespace\":"
        + "\"dev.meshflow.mesh\",\"fields\":[{\"name\":\"song_id\",\"type\":\"int\"}]}");
    MeshCatalog.Verdict byAvsc = catalog.check("songs", avsc);
    assertEquals(CompatibilityMode.BACKWARD, byAvsc.mode());
    assertEquals(List.of("song_id"), byAvsc.reasons().stream().map(Incompatibility::field).toList());
    assertThrows(IllegalArgumentException.class,
        () -> catalog.check("podcasts", write("s.odcs.yaml", Contracts.shipped("songs"))));
  }

  @Test
  public void searchFindsNamesDescriptionsAndFields() {
    Path at = dir.resolve("catalog");
    MeshCatalog.init(at);
    MeshCatalog catalog = MeshCatalog.open(at);
    List<MeshCatalog.Hit> genre = catalog.search("GENRE");
    assertEquals(List.of("songs"), genre.stream().map(h -> h.product().name()).toList());
    assertTrue(genre.get(0).matches().contains("field genre"), genre.get(0).matches().toString());
    assertEquals(List.of("users"), catalog.search("e-mail").stream().map(h -> h.product().name()).toList());
    assertEquals(List.of(), catalog.search("no such words"));
  }

  @Test
  public void deprecatingChangesOnlyTheStatusLine() throws Exception {
    Path at = dir.resolve("catalog");
    MeshCatalog.init(at);
    MeshCatalog catalog = MeshCatalog.open(at);
    String before = Files.readString(at.resolve("products/podcasts.odcs.yaml"));
    DataContract podcasts = catalog.deprecate("podcasts");
    assertEquals("deprecated", podcasts.status());
    assertTrue(podcasts.deprecated());
    assertEquals(before.replace("status: active", "status: deprecated"),
        Files.readString(at.resolve("products/podcasts.odcs.yaml")));
  }

  @Test
  public void aBrokenOrMisnamedContractInTheCatalogIsNamedWithItsFile() throws Exception {
    Path at = dir.resolve("catalog");
    MeshCatalog.init(at);
    MeshCatalog catalog = MeshCatalog.open(at);
    Path users = at.resolve("products/users.odcs.yaml");
    Files.writeString(users, Files.readString(users).replace("tier\n        logicalType: string",
        "tier\n        logicalType: text"));
    ContractException broken = assertThrows(ContractException.class, catalog::products);
    assertEquals(users.toString(), broken.file());
    Files.writeString(users, MeshCatalog.shipped("songs"));
    IllegalArgumentException misnamed = assertThrows(IllegalArgumentException.class, catalog::products);
    assertTrue(misnamed.getMessage().endsWith("names product 'songs'; its file must be songs.odcs.yaml"),
        misnamed.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MeshCatalog.open(dir.resolve("nothing-here")));
  }
}
