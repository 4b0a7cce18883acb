package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same input through ETL and through ELT gives the same typed rows: the pipeline's
 * {@code interactions} table equals the warehouse view {@code interactions_v}, in DuckDB and in
 * PostgreSQL, and both equal the model. The input carries all 14 kinds of malformed record.
 */
public class EtlVersusEltTest {
  private static final long EVENTS = 5_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=5&duplicates=0.05&malformed=0.05&items=30&users=150";

  @TempDir Path tmp;

  private static PipelineResult run(String sink, String mode) {
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(
        "DirectRunner", "--source=" + GENERATOR, "--sink=" + sink, "--mode=" + mode))
        .as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertTrue(RunCounts.of(result).conserved(IngestPipeline.PIPELINE.spec(options).conservation()), mode + " conserves: " + RunCounts.of(result));
    return result;
  }

  private static void assertSameTypedRows(String sink, Tables tables) throws Exception {
    PipelineResult elt = run(sink, "ELT");
    assertEquals(EVENTS, tables.count("SELECT count(*) FROM interactions_raw"), "ELT lands every record");
    assertEquals(EVENTS, RunCounts.of(elt).read());
    run(sink, "ETL");
    List<String> expected = Tables.render(IngestEtlModel.run(
        GeneratedInput.records(GENERATOR, EVENTS), EtlSpec.identity(), null).rows.values(), Tables.TYPED);
    Diff.assertSameLines("ETL table vs model", expected, tables.interactions("interactions", Tables.TYPED));
    Diff.assertSameLines("ELT view vs ETL table", tables.interactions("interactions", Tables.TYPED),
        tables.interactions("interactions_v", Tables.TYPED));
    assertEquals(0, tables.count(
        "SELECT count(*) FROM interactions i JOIN interactions_v v USING (event_id)"
            + " WHERE i.source_origin <> v.source_origin"), "the view keeps the same copy of each duplicate");
  }

  @Test
  public void duckDbViewEqualsEtlTable() throws Exception {
    String file = tmp + "/elt.duckdb";
    assertSameTypedRows("duckdb:" + file, Tables.duckDb(file));
  }

  @Test
  public void postgresViewEqualsEtlTable() throws Exception {
    String db = Postgres.newDatabase("elt");
    assertSameTypedRows(Postgres.sinkUri(db), Tables.postgres(db));
  }
}
