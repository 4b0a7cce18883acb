package dev.meshflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.pipelines.MeshflowPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The documents that repeat what the launcher prints are generated from the same data and kept
 * equal here: docs/endpoints.md from {@code ./meshflow endpoints}, and the options section of each
 * docs/pipelines/&lt;name&gt;.md from {@code ./meshflow <name> --help}. With {@code
 * -Ddocs.write=true} the test writes them instead of failing.
 */
public class GeneratedDocsTest {
  private static final Path DOCS = Paths.get("docs").toAbsolutePath();
  private static final boolean WRITE = Boolean.getBoolean("docs.write");
  static final String BEGIN = "<!-- options: generated from ./meshflow <name> --help -->";
  static final String END = "<!-- end of options -->";

  @Test
  public void theEndpointsPageIsWhatTheLauncherPrints() throws Exception {
    Path page = DOCS.resolve("endpoints.md");
    String expected = EndpointsHelp.markdown();
    if (WRITE) {
      Files.writeString(page, expected);
    }
    assertEquals(expected, Files.readString(page), "docs/endpoints.md differs from ./meshflow endpoints; write it again with"
        + " mvn -B test -Dtest=GeneratedDocsTest -Ddocs.write=true");
  }

  @Test
  public void everyPipelineHasAPageWhoseOptionsAreItsHelp() throws Exception {
    for (MeshflowPipeline<?, ?> pipeline : PipelineCatalog.all().values()) {
      Path page = DOCS.resolve("pipelines").resolve(pipeline.name() + ".md");
      assertTrue(Files.exists(page), "no page " + page);
      String text = Files.readString(page);
      int begin = text.indexOf(BEGIN);
      int end = text.indexOf(END);
      assertTrue(begin >= 0 && end > begin, page + " has no generated options section (" + BEGIN + " ... " + END + ")");
      String options = BEGIN + "\n\n```\n" + help(pipeline) + "```\n\n";
      String now = text.substring(begin, end);
      if (WRITE && !now.equals(options)) {
        Files.writeString(page, text.substring(0, begin) + options + text.substring(end));
        now = options;
      }
      assertEquals(options, now, page + ": options differ from ./meshflow " + pipeline.name() + " --help; write"
          + " them again with mvn -B test -Dtest=GeneratedDocsTest -Ddocs.write=true");
    }
  }

  @Test
  public void theDashboardPageShowsItsHelp() throws Exception {
    Path page = DOCS.resolve("dashboard.md");
    String text = Files.readString(page);
    String begin = "<!-- options: generated from ./meshflow dashboard --help -->";
    int from = text.indexOf(begin);
    int to = text.indexOf(END);
    assertTrue(from >= 0 && to > from, page + " has no generated options section (" + begin + " ... " + END + ")");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertEquals(Main.OK, Main.execute(java.util.List.of("dashboard", "--help"),
        new PrintStream(bytes, true, StandardCharsets.UTF_8), System.err));
    String options = begin + "\n\n```\n" + bytes.toString(StandardCharsets.UTF_8) + "```\n\n";
    String now = text.substring(from, to);
    if (WRITE && !now.equals(options)) {
      Files.writeString(page, text.substring(0, from) + options + text.substring(to));
      now = options;
    }
    assertEquals(options, now, page + ": options differ from ./meshflow dashboard --help; write them again with"
        + " mvn -B test -Dtest=GeneratedDocsTest -Ddocs.write=true");
  }

  private static String help(MeshflowPipeline<?, ?> pipeline) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    HelpPrinter.print(pipeline, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
