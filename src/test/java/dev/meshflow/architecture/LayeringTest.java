package dev.meshflow.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.Test;

/** pipelines -> transforms, io -> options, and nothing points back. */
public class LayeringTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.meshflow");

  @Test
  public void layersOnlyDependDownwards() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("options").definedBy("dev.meshflow.options..")
        .layer("io").definedBy("dev.meshflow.io..")
        .layer("transforms").definedBy("dev.meshflow.transforms..")
        .layer("pipelines").definedBy("dev.meshflow.pipelines..")
        .whereLayer("pipelines").mayNotBeAccessedByAnyLayer()
        .whereLayer("transforms").mayOnlyBeAccessedByLayers("pipelines")
        .whereLayer("io").mayOnlyBeAccessedByLayers("pipelines")
        .whereLayer("options").mayOnlyBeAccessedByLayers("io", "transforms", "pipelines")
        .check(MAIN);
  }

  @Test
  public void everyLayerHasClasses() {
    for (String layer : new String[] {"options", "io", "transforms", "pipelines"}) {
      org.junit.Assert.assertTrue("no classes in layer " + layer,
          MAIN.stream().anyMatch(c -> c.getPackageName().startsWith("dev.meshflow." + layer)));
    }
  }
}
