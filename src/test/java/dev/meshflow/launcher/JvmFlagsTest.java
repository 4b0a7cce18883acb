package dev.meshflow.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItems;

import dev.meshflow.testing.JavaCommand;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test JVMs run with the flags the launcher gives every JVM (pom.xml's surefire argLine). */
public class JvmFlagsTest {
  @Test
  public void testJvmsGetTheLaunchersCompilerThresholdsAndOpens() throws Exception {
    List<String> own = ManagementFactory.getRuntimeMXBean().getInputArguments();
    assertThat(own, hasItems(JavaCommand.launcherFlags("jit-flags").toArray(new String[0])));
    assertThat(own, hasItems(JavaCommand.launcherFlags("jvm-flags").toArray(new String[0])));
  }
}
