package dev.meshflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.pipelines.interactions.InteractionAnalyticsPipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** Option errors name the option as the user typed it, never a Java type. */
public class OptionErrorsTest {
  private static String beamsMessage(String... args) {
    try {
      PipelineOptionsFactory.fromArgs(args).as(InteractionAnalyticsPipeline.Options.class);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("Beam accepted " + String.join(" ", args));
  }

  @Test
  public void aMisspeltOptionIsNamedAsTypedWithTheNearestOne() {
    assertEquals("unknown option --sourc; did you mean --source?",
        OptionErrors.readable(beamsMessage("--sourc=x")));
  }

  @Test
  public void anOptionFarFromAnyIsNamedAlone() {
    assertEquals("unknown option --zzzqqq", OptionErrors.readable(beamsMessage("--zzzqqq=1")));
  }

  @Test
  public void otherMessagesLoseTheirPackageNames() {
    assertEquals("Options IngestPipeline is wrong",
        OptionErrors.readable("Options dev.meshflow.pipelines.ingest.IngestPipeline$Foo is wrong"));
  }
}
