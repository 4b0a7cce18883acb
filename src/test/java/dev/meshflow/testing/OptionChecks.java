package dev.meshflow.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.RunSpec;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Asserts that a pipeline refuses arguments, when it reads its options or when it prepares the
 * run, with a message that says the fix.
 */
public final class OptionChecks {
  private OptionChecks() {}

  public static <O extends PipelineOptions, S extends RunSpec> void assertRejected(
      MeshflowPipeline<O, S> pipeline, String fragment, String... args) {
    O options = PipelineOptionsFactory.fromArgs(args).as(pipeline.optionsClass());
    String message;
    try {
      pipeline.prepare(pipeline.spec(options));
      throw new AssertionError("accepted " + List.of(args));
    } catch (IllegalArgumentException e) {
      message = e.getMessage();
    }
    assertTrue(message.contains(fragment), "'" + message + "' should say " + fragment);
  }
}
