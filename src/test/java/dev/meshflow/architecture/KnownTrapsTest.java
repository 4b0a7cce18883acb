package dev.meshflow.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Beam APIs that failed meshflow in ways no other test would catch in time; code and tests alike. */
public class KnownTrapsTest {
  private static final JavaClasses ALL = new ClassFileImporter().importPackages("dev.meshflow");

  @Test
  public void nothingTicksWithPeriodicImpulse() {
    noClasses().should().dependOnClassesThat().haveFullyQualifiedName(
            "org.apache.beam.sdk.transforms.PeriodicImpulse")
        .orShould().dependOnClassesThat().haveFullyQualifiedName(
            "org.apache.beam.sdk.transforms.PeriodicSequence")
        .because("it can ask the DirectRunner to resume after a negative delay, which stalls the"
            + " source for good; use dev.meshflow.io.Ticker")
        .check(ALL);
  }

  /** JUnit 4's API apart from JUnit 5's; Beam's TestPipeline still needs JUnit 4's classes to load. */
  private static final Pattern JUNIT4 = Pattern.compile("\\borg\\.junit\\.(?!jupiter\\.|platform\\.)\\w");

  /** Test sources that use JUnit 4, whose tests no engine here runs. */
  static List<String> junit4Users(Path testRoot) throws IOException {
    try (Stream<Path> files = Files.walk(testRoot)) {
      return files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
        try {
          return JUNIT4.matcher(Files.readString(f)).find();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).map(f -> testRoot.relativize(f).toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  public void testsUseJUnit5Only() throws IOException {
    // Only the JUnit 5 engine runs, so a JUnit 4 @Test would be skipped without a word.
    assertEquals(List.of(), junit4Users(Path.of("src/test/java")),
        "these use JUnit 4; write them with JUnit 5's org.junit.jupiter.api (docs/architecture.md, Tests)");
  }

  @Test
  public void aPlantedJUnit4TestIsFound(@TempDir Path root) throws IOException {
    Files.writeString(root.resolve("OldTest.java"), "import org.junit" + ".Test;\nclass OldTest {}\n");
    Files.writeString(root.resolve("NewTest.java"), "import org.junit.jupiter.api.Test;\nclass NewTest {}\n");
    assertEquals(List.of("OldTest.java"), junit4Users(root));
  }
}
