package dev.meshflow.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * launcher -> pipelines -> transforms, io -> the floor (options, core), and nothing points back,
 * checked on the class files. {@link SourceLayeringTest} checks the same rule, and the domains'
 * separation, on the source text, which also sees constants javac inlines.
 */
public class LayeringTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.meshflow");

  @Test
  public void layersOnlyDependDownwards() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("floor").definedBy("dev.meshflow.options..", "dev.meshflow.core..")
        .layer("io").definedBy("dev.meshflow.io..")
        .layer("transforms").definedBy("dev.meshflow.transforms..")
        .layer("pipelines").definedBy("dev.meshflow.pipelines..")
        .layer("launcher").definedBy("dev.meshflow.launcher..")
        .whereLayer("launcher").mayNotBeAccessedByAnyLayer()
        .whereLayer("pipelines").mayOnlyBeAccessedByLayers("launcher")
        .whereLayer("transforms").mayOnlyBeAccessedByLayers("pipelines", "launcher")
        .whereLayer("io").mayOnlyBeAccessedByLayers("pipelines", "launcher")
        .whereLayer("floor").mayOnlyBeAccessedByLayers("io", "transforms", "pipelines", "launcher")
        .check(MAIN);
  }

  @Test
  public void noPackageCycles() {
    com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices()
        .matching("dev.meshflow.(**)")
        .should().beFreeOfCycles()
        .check(MAIN);
  }

  @Test
  public void everyLayerHasClasses() {
    for (String layer : new String[] {"options", "core", "io", "transforms", "pipelines", "launcher"}) {
      org.junit.jupiter.api.Assertions.assertTrue(
          MAIN.stream().anyMatch(c -> c.getPackageName().startsWith("dev.meshflow." + layer)),
          "no classes in layer " + layer);
    }
  }
}
