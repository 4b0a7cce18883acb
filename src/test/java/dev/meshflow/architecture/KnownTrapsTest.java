package dev.meshflow.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.Test;

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
}
