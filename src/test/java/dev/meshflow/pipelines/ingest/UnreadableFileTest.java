package dev.meshflow.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.file.LineSplitter;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.Diff;
import dev.meshflow.testing.EndToEnd;
import dev.meshflow.testing.EndToEndTest;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gzip file cut short (a writer that had not finished) in a {@code file:} source no longer fails
 * the run, nor every rerun: the lines before the cut are ingested, and the file becomes one
 * {@code unreadable-file} dead letter holding its bytes as stored. Everything else lands exactly as
 * {@link IngestEtlModel} computes, the counts still add up, and a rerun changes nothing.
 */
public class UnreadableFileTest extends EndToEndTest {
  private static final long EVENTS = 3_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=31&duplicates=0.05&malformed=0.03&outOfOrder=0.3";

  @TempDir static Path TMP;

  private static Path cut;
  private static byte[] cutBytes;
  /** part-0's records, then the cut file's records as they were before the cut. */
  private static final List<InteractionAnalyticsModel.Record> WHOLE = new ArrayList<>();
  private static final List<InteractionAnalyticsModel.Record> CUT = new ArrayList<>();
  /** How many lines of the cut file a gzip reader gets from its bytes before they run out. */
  private static long decodable;

  public static List<EndToEnd> cases() {
    return EndToEnd.cells("DirectRunner batch duckdb", "FlinkRunner batch postgresql");
  }

  /** part-0.jsonl is whole; part-1.jsonl.gz is cut to half its bytes. */
  @BeforeAll
  public static void landFiles() throws Exception {
    Path landing = TempFiles.newFolder(TMP, "landing");
    GeneratedInput.writeShuffled(GENERATOR, EVENTS, landing, 2, 5);
    Path whole = landing.resolve("part-0.jsonl");
    cut = landing.resolve("part-1.jsonl.gz");
    addLines(WHOLE, whole, Files.readAllBytes(whole), false);
    byte[] complete = Files.readAllBytes(cut);
    addLines(CUT, cut, complete, true);
    cutBytes = Arrays.copyOf(complete, complete.length / 2);
    Files.write(cut, cutBytes);
    List<InteractionAnalyticsModel.Record> readable = new ArrayList<>();
    addLines(readable, cut, cutBytes, true);
    decodable = readable.size();
    assertTrue(decodable > 100 && decodable < CUT.size() - 100, "the cut file must keep some readable lines and lose some: " + decodable);
  }

  /** The complete lines a reader gets from {@code bytes} before the stream breaks, if it does. */
  private static void addLines(List<InteractionAnalyticsModel.Record> out, Path file, byte[] bytes,
      boolean gzip) throws IOException {
    try {
      LineSplitter.forEachLine(gzip ? new GZIPInputStream(new ByteArrayInputStream(bytes))
          : new ByteArrayInputStream(bytes), (number, line) ->
          out.add(new InteractionAnalyticsModel.Record("file:" + file + "#L" + number, line)));
    } catch (EOFException expectedForTheCutFile) {
      assertTrue(gzip);
    }
  }

  @Test
  public void theCutFileIsOneDeadLetterAndTheRestLands() throws Exception {
    Tables tables = cell.newWarehouse(TMP, "unreadable");
    IngestPipeline.Options options = PipelineOptionsFactory.fromArgs(cell.args(
        "--source=file:" + cut.getParent() + "/part-*", "--sink=" + tables.sinkUri()))
        .as(IngestPipeline.Options.class);
    PipelineResult result = IngestPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    Map<String, String> deadLetters = tables.deadLetters();
    String unreadable = deadLetters.remove("file:" + cut + "#unreadable");
    Matcher said = Pattern.compile("unreadable-file: cannot read " + Pattern.quote(cut.toString())
        + " after line (\\d+) \\(EOFException[^)]*\\); a compressed file cut short or corrupt\\?"
        + " Lines 1 to \\1 were read; the payload is the file as stored .*").matcher(String.valueOf(unreadable));
    assertTrue(said.matches(), "the cut file's dead letter: " + unreadable);
    // How far a gzip reader gets into a cut stream depends on its buffering; the run says how far.
    int read = Integer.parseInt(said.group(1));
    assertTrue(read > decodable * 0.8 && read <= decodable, read + " lines read of " + decodable + " decodable");
    List<InteractionAnalyticsModel.Record> records = new ArrayList<>(WHOLE);
    records.addAll(CUT.subList(0, read)); // line numbers: the generator writes no empty lines
    IngestEtlModel.Result expected = IngestEtlModel.run(records, EtlSpec.identity(), null);
    assertArrayEquals(cutBytes, payloadOf(tables, "file:" + cut + "#unreadable"), "the dead letter holds the file as stored");
    Diff.assertSameEntries("dead letters", new TreeMap<>(expected.deadLetters), deadLetters);
    Diff.assertSameLines("interactions", Tables.render(expected.rows.values(), Tables.ALL),
        tables.interactions("interactions", Tables.ALL));

    RunCounts counts = RunCounts.of(result);
    assertEquals(records.size() + 1, counts.read(), "every line read and the cut file");
    assertEquals(Long.valueOf(1), counts.deadLettersByStage().get("unreadable-file"));
    assertEquals(expected.deadLetters.size() + 1, counts.deadLetters());
    assertTrue(counts.conserved(IngestPipeline.PIPELINE.spec(options).conservation()), "read = written + duplicates + dead letters: " + counts);

    if (!cell.postgres()) { // a rerun reads the same cut file again and changes nothing
      List<String> rows = tables.interactions("interactions", Tables.ALL);
      Map<String, String> all = tables.deadLetters();
      assertEquals(PipelineResult.State.DONE, IngestPipeline.run(options).waitUntilFinish());
      assertEquals(rows, tables.interactions("interactions", Tables.ALL));
      assertEquals(all, tables.deadLetters());
    }
  }

  private static byte[] payloadOf(Tables tables, String origin) throws Exception {
    try (Connection c = tables.connect();
        PreparedStatement st = c.prepareStatement("SELECT payload FROM dead_letter WHERE origin = ?")) {
      st.setString(1, origin);
      try (ResultSet rs = st.executeQuery()) {
        assertTrue(rs.next());
        return rs.getBytes(1);
      }
    }
  }
}
