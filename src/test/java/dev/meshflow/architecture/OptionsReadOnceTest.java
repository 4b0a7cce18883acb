package dev.meshflow.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options are read once: a pipeline's graph code ({@code *Pipeline.java}) takes what it needs from
 * its spec, never from options, durations parsed again or endpoints opened again; and every spec
 * is a record, so nothing changes it after it is read. A planted violation of each kind is caught.
 */
public class OptionsReadOnceTest {
  private static final Pattern READS_OPTIONS = Pattern.compile(
      "\\b(Durations|Endpoints)\\b|\\bgetOptions\\s*\\(|\\boptions\\s*\\.\\s*(?:get|is)\\w*\\s*\\(");
  private static final Pattern IMPLEMENTS_RUN_SPEC = Pattern.compile(
      "\\b(class|record|interface|enum)\\s+\\w+[^{]*\\bimplements\\b[^{]*\\bRunSpec\\b");

  @TempDir Path tmp;

  static List<String> violations(Path projectRoot) throws IOException {
    List<String> found = new ArrayList<>();
    Path pipelines = projectRoot.resolve("pipelines");
    try (Stream<Path> files = Files.walk(pipelines)) {
      for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java")).sorted()::iterator) {
        String code = SourceLayers.COMMENTS_AND_STRINGS.matcher(Files.readString(file)).replaceAll("\"\"");
        String name = projectRoot.relativize(file).toString();
        if (file.getFileName().toString().endsWith("Pipeline.java")) {
          Matcher m = READS_OPTIONS.matcher(code);
          if (m.find()) {
            found.add(name + ": reads options outside its spec (" + m.group().trim() + ")");
          }
        }
        Matcher spec = IMPLEMENTS_RUN_SPEC.matcher(code);
        while (spec.find()) {
          if (!spec.group(1).equals("record")) {
            found.add(name + ": a RunSpec that is a " + spec.group(1) + ", not a record");
          }
        }
      }
    }
    return found;
  }

  @Test
  public void pipelinesBuildFromTheirSpecsAndEverySpecIsARecord() throws Exception {
    assertEquals(List.of(), violations(Paths.get("").toAbsolutePath()));
  }

  @Test
  public void aPipelineReadingOptionsAndASpecThatIsNotARecordAreCaught() throws Exception {
    write("pipelines/dev/meshflow/pipelines/x/XPipeline.java", "package dev.meshflow.pipelines.x;\n"
        + "// options.getSink() and Durations in a comment do not count\n"
        + "final class XPipeline {\n  static void build(Options options) {\n"
        + "    Object d = Durations.parse(\"w\", options . getWindow());\n  }\n}\n");
    write("pipelines/dev/meshflow/pipelines/x/YPipeline.java", "package dev.meshflow.pipelines.x;\n"
        + "final class YPipeline {\n  static boolean build(Options options) {\n"
        + "    return options.isStreaming();\n  }\n}\n");
    write("pipelines/dev/meshflow/pipelines/x/XSpec.java", "package dev.meshflow.pipelines.x;\n"
        + "public final class XSpec implements Serializable, RunSpec {\n"
        + "  static XSpec of(Options options) { return Durations.parse(options.getWindow()); }\n}\n");
    assertEquals(List.of(
        "pipelines/dev/meshflow/pipelines/x/XPipeline.java: reads options outside its spec (Durations)",
        "pipelines/dev/meshflow/pipelines/x/XSpec.java: a RunSpec that is a class, not a record",
        "pipelines/dev/meshflow/pipelines/x/YPipeline.java: reads options outside its spec (options.isStreaming()"),
        violations(tmp));
  }

  private void write(String file, String text) throws IOException {
    Path p = tmp.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }
}
