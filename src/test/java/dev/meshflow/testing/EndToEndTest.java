package dev.meshflow.testing;

import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parameterised base of end-to-end tests: each subclass declares {@code static List<EndToEnd>
 * cases()} with its cells of {@link EndToEnd#MATRIX}, and runs its tests once per cell.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("cases")
public abstract class EndToEndTest {
  @Parameter protected EndToEnd cell;
}
