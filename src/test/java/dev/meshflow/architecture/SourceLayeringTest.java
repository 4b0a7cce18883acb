package dev.meshflow.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layering rule ({@link SourceLayers}) holds for every main source file, and it catches each
 * kind of violation planted in a scratch copy of the layout: an inlined constant, a transform
 * using io, a pipeline using another pipeline's package, and the floor reaching up. Each test
 * package is also a main package, so a transform's test is found beside its transform.
 */
public class SourceLayeringTest {
  private static final List<String> ROOTS = List.of("options", "io", "transforms", "pipelines");

  @TempDir Path tmp;

  @Test
  public void everyMainSourceFileUsesOnlyTheRoomsBelowIt() throws Exception {
    assertEquals(List.of(), SourceLayers.violations(Paths.get("").toAbsolutePath(), ROOTS));
  }

  /**
   * Packages of the test tree that only tests have: the harness, these checks, and the profiles'
   * own (-Pbenchmarks, -Pfaults).
   */
  private static final List<String> TEST_ONLY = List.of("dev/meshflow/testing", "dev/meshflow/architecture",
      "dev/meshflow/benchmarks", "dev/meshflow/faults");

  /** Test packages with no main package of the same name under any root. */
  static List<String> unmirrored(Path project, List<String> roots) throws IOException {
    Path tests = project.resolve("src/test/java");
    try (Stream<Path> dirs = Files.walk(tests)) {
      return dirs.filter(SourceLayeringTest::holdsJava).map(d -> tests.relativize(d).toString())
          .filter(pkg -> TEST_ONLY.stream().noneMatch(pkg::startsWith))
          .filter(pkg -> roots.stream().noneMatch(root -> holdsJava(project.resolve(root).resolve(pkg))))
          .sorted().collect(Collectors.toList());
    }
  }

  private static boolean holdsJava(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(f -> f.toString().endsWith(".java"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  public void testPackagesMirrorTheMainPackages() throws Exception {
    assertEquals(List.of(), unmirrored(Paths.get("").toAbsolutePath(), ROOTS),
        "a test lives in the package of what it tests");
  }

  @Test
  public void aTestOutsideItsMainPackageIsCaught() throws Exception {
    write(tmp, "transforms/dev/meshflow/transforms/x/Thing.java", "package dev.meshflow.transforms.x;\n");
    write(tmp, "src/test/java/dev/meshflow/transforms/x/ThingTest.java", "package dev.meshflow.transforms.x;\n");
    write(tmp, "src/test/java/dev/meshflow/transforms/ThingTest.java", "package dev.meshflow.transforms;\n");
    write(tmp, "src/test/java/dev/meshflow/testing/Harness.java", "package dev.meshflow.testing;\n");
    assertEquals(List.of("dev/meshflow/transforms"), unmirrored(tmp, ROOTS));
  }

  @Test
  public void aTransformUsingAnIoConstantIsCaughtThoughJavacWouldInlineItAndInferenceUsesNoDomain() throws Exception {
    Path root = tmp;
    write(root, "transforms/dev/meshflow/transforms/x/UsesPane.java",
        "package dev.meshflow.transforms.x;\n"
            + "import static dev.meshflow.io.PaneVersion.PANE_INDEX;\n"
            + "final class UsesPane { String c = PANE_INDEX; }\n");
    write(root, "transforms/dev/meshflow/transforms/inference/Handler.java",
        "package dev.meshflow.transforms.inference;\n"
            + "import dev.meshflow.transforms.anomaly.KMeansModel;\n"
            + "import dev.meshflow.transforms.inference.handlers.Fine;\n"
            + "final class Handler {}\n");
    write(root, "transforms/dev/meshflow/transforms/x/NamesIo.java",
        "package dev.meshflow.transforms.x;\n"
            + "final class NamesIo { Object o = dev.meshflow.io.TableSink.class; }\n");
    assertEquals(List.of(
        "transforms/dev/meshflow/transforms/inference/Handler.java: dev.meshflow.transforms.inference"
            + " -> dev.meshflow.transforms.anomaly",
        "transforms/dev/meshflow/transforms/x/NamesIo.java: dev.meshflow.transforms.x -> dev.meshflow.io",
        "transforms/dev/meshflow/transforms/x/UsesPane.java: dev.meshflow.transforms.x -> dev.meshflow.io"),
        SourceLayers.violations(root, ROOTS));
  }

  @Test
  public void aPipelineUsingAnotherPipelinesPackageIsCaughtButTheSharedPackageIsAllowed() throws Exception {
    Path root = tmp;
    write(root, "pipelines/dev/meshflow/pipelines/anomaly/A.java",
        "package dev.meshflow.pipelines.anomaly;\n"
            + "import dev.meshflow.pipelines.clickstream.ClickstreamBackfillPipeline;\n"
            + "import dev.meshflow.pipelines.ReadSource;\n"
            + "import dev.meshflow.pipelines.anomaly.other.Fine;\n"
            + "final class A {}\n");
    assertEquals(List.of("pipelines/dev/meshflow/pipelines/anomaly/A.java: dev.meshflow.pipelines.anomaly"
        + " -> dev.meshflow.pipelines.clickstream"), SourceLayers.violations(root, ROOTS));
  }

  @Test
  public void theFloorAndTheSharedPipelinesPackageCannotReachUpAndCommentsDoNotCount() throws Exception {
    Path root = tmp;
    write(root, "options/dev/meshflow/options/O.java",
        "package dev.meshflow.options;\n"
            + "// see dev.meshflow.io.TableSink, and \"dev.meshflow.io.endpoints.Endpoints\" in a string\n"
            + "import dev.meshflow.transforms.deadletter.*;\n"
            + "final class O {}\n");
    write(root, "pipelines/dev/meshflow/pipelines/S.java",
        "package dev.meshflow.pipelines;\n"
            + "import dev.meshflow.launcher.Main;\n"
            + "import dev.meshflow.pipelines.ingest.IngestPipeline;\n"
            + "final class S {}\n");
    write(root, "io/dev/meshflow/io/I.java",
        "package dev.meshflow.io;\n/** {@link dev.meshflow.transforms.X} */\n"
            + "final class I { Object o = dev.meshflow.transforms.x.Y.class; }\n");
    write(root, "options/dev/meshflow/core/K.java",
        "package dev.meshflow.core;\nimport dev.meshflow.options.Durations;\nfinal class K {}\n");
    assertEquals(List.of(
        "options/dev/meshflow/core/K.java: dev.meshflow.core -> dev.meshflow.options",
        "options/dev/meshflow/options/O.java: dev.meshflow.options -> dev.meshflow.transforms.deadletter",
        "io/dev/meshflow/io/I.java: dev.meshflow.io -> dev.meshflow.transforms.x",
        "pipelines/dev/meshflow/pipelines/S.java: dev.meshflow.pipelines -> dev.meshflow.launcher",
        "pipelines/dev/meshflow/pipelines/S.java: dev.meshflow.pipelines -> dev.meshflow.pipelines.ingest"),
        SourceLayers.violations(root, ROOTS));
  }

  private static void write(Path root, String file, String text) throws Exception {
    Path p = root.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }
}
