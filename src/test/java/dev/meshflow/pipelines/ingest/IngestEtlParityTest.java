package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.EndToEnd;
import dev.meshflow.testing.EndToEndTest;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.transforms.ingest.Catalog;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.PrivacyRules;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ETL ingestion with the whole chain switched on (keep types, catalog enrichment with misses as
 * dead letters, device fill, HMAC and masking) writes exactly what {@link IngestEtlModel} computes,
 * on every local runner, into DuckDB and into a real PostgreSQL.
 */
public class IngestEtlParityTest extends EndToEndTest {
  private static final long EVENTS = 6_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=11&duplicates=0.05&malformed=0.03&outOfOrder=0.3&late=0.02&items=40&users=200"
      + "&start=2026-03-07T23:00:00Z&eventsPerSecond=100";
  private static final String KEY_ENV = "MESHFLOW_TEST_HMAC_KEY";

  @TempDir static Path TMP;

  private static IngestEtlModel.Result expected;
  private static Path catalog;

  public static List<EndToEnd> cases() {
    return EndToEnd.cells("DirectRunner batch duckdb", "FlinkRunner batch postgresql", "SparkRunner batch duckdb",
        "DirectRunner streaming postgresql");
  }

  /** Every song and podcast but every seventh item, so some events miss the catalog. */
  private static List<String> catalogLines() {
    List<String> lines = new ArrayList<>(List.of("item_id,title,artist,genre"));
    for (int i = 0; i < 40; i++) {
      if (i % 7 == 3) {
        continue;
      }
      String id = (i < 32 ? "song-" : "podcast-") + String.format("%04d", i);
      lines.add(i % 2 == 0
          ? id + ",\"Title, " + i + "\",Artist " + (i % 5) + ",genre-" + (i % 3)
          : "{\"item_id\":\"" + id + "\",\"title\":\"Title, " + i + "\",\"artist\":\"Artist "
              + (i % 5) + "\",\"genre\":\"genre-" + (i % 3) + "\"}");
    }
    return lines;
  }

  private static EtlSpec spec(boolean fill) {
    return new EtlSpec(Set.of("play", "skip", "like"), Set.of(), fill, true,
        PrivacyRules.of("user_id", "session_id", "", System.getenv(KEY_ENV).getBytes(StandardCharsets.UTF_8), KEY_ENV));
  }

  @BeforeAll
  public static void computeModel() throws Exception {
    catalog = TempFiles.newFile(TMP, "catalog.csv");
    Files.write(catalog, catalogLines());
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(GENERATOR, EVENTS);
    Map<String, List<String>> items = Catalog.parse(catalogLines()).items;
    expected = IngestEtlModel.run(records, spec(true), items);
    assertTrue(expected.filtered > 100);
    assertTrue(expected.deadLetters.values().stream().anyMatch(r -> r.startsWith("enrich: ")));
    assertTrue(expected.rows.values().stream().anyMatch(r -> r.getBoolean("device_filled")));
  }

  @Test
  public void writesExactlyWhatTheModelComputes() throws Exception {
    boolean streaming = cell.streaming;
    Tables tables = cell.newWarehouse(TMP, "etl");
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(cell.args(
        "--source=" + GENERATOR + "&rate=1000000", "--sink=" + tables.sinkUri(),
        "--keepEventTypes=play,skip,like", "--catalog=" + catalog, "--onCatalogMiss=deadletter",
        "--fillMissingDevice=" + !streaming, "--hashFields=user_id", "--maskFields=session_id",
        "--hmacKeyEnv=" + KEY_ENV)).as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    // Streaming fills from what has arrived, which depends on arrival order; it runs unfilled here.
    IngestEtlModel.Result want = streaming
        ? IngestEtlModel.run(GeneratedInput.records(GENERATOR, EVENTS), spec(false),
            Catalog.parse(catalogLines()).items)
        : expected;
    // A stream keeps the first arrival of a duplicate, batch the smallest origin: same content,
    // but source_origin may name a different copy.
    String columns = streaming ? Tables.ALL.replace(", source_origin", "") : Tables.ALL;
    Diff.assertSameLines("interactions", Tables.render(want.rows.values(), columns),
        tables.interactions("interactions", columns));
    Diff.assertSameEntries("dead letters", want.deadLetters, tables.deadLetters());

    RunCounts counts = RunCounts.of(result);
    assertEquals(EVENTS, counts.read());
    assertEquals(want.duplicates, counts.duplicates());
    assertEquals(want.filtered, counts.filtered());
    assertEquals(want.deadLetters.size(), counts.deadLetters());
    assertTrue(counts.conserved(IngestPipeline.PIPELINE.spec(options).conservation()), "read = written + filtered + duplicates + dead letters: " + counts);
  }
}
