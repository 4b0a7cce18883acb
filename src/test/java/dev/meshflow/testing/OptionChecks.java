package dev.meshflow.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Asserts that a pipeline's option check refuses arguments with a message that says the fix. */
public final class OptionChecks {
  private OptionChecks() {}

  public static <O extends PipelineOptions> void assertRejected(Class<O> type, Consumer<O> validate,
      String fragment, String... args) {
    O options = PipelineOptionsFactory.fromArgs(args).as(type);
    String message;
    try {
      validate.accept(options);
      throw new AssertionError("accepted " + List.of(args));
    } catch (IllegalArgumentException e) {
      message = e.getMessage();
    }
    assertTrue(message.contains(fragment), "'" + message + "' should say " + fragment);
  }
}
