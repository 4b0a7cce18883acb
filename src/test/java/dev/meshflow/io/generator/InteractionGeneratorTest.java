package dev.meshflow.io.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.generator.InteractionGenerator;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.interactions.InteractionParser;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

public class InteractionGeneratorTest {
  private static final String URI = "generator:interactions?events=20000&seed=11";

  @Test
  public void recordsArePureFunctionsOfSeedAndIndex() {
    InteractionGenerator a = (InteractionGenerator) GeneratedInput.generator(URI);
    InteractionGenerator b = (InteractionGenerator) GeneratedInput.generator(URI);
    for (long i : new long[] {0, 1, 17, 999, 19_999}) {
      assertArrayEquals(a.recordAt(i).payload, b.recordAt(i).payload);
    }
    InteractionGenerator other = (InteractionGenerator) GeneratedInput.generator("generator:interactions?events=10&seed=12");
    assertTrue(!java.util.Arrays.equals(a.recordAt(5).payload, other.recordAt(5).payload));
  }

  @Test
  public void plantsTheConfiguredShareOfEachImperfection() {
    InteractionGenerator g = (InteractionGenerator) GeneratedInput.generator(
        "generator:interactions?events=20000&seed=3&duplicates=0.05&malformed=0.03&late=0.02&outOfOrder=0.2");
    int n = 20_000, malformed = 0, duplicates = 0, late = 0, outOfOrder = 0;
    Set<String> ids = new HashSet<>();
    long lateBy = g.spec().lateByMillis;
    for (long i = 0; i < n; i++) {
      dev.meshflow.io.generator.GeneratedRecord r = g.recordAt(i);
      InteractionParser.Result p = InteractionParser.parse("g", r.payload);
      if (!p.isValid()) {
        malformed++;
        continue;
      }
      if (!ids.add(p.event().eventId())) {
        duplicates++;
        continue;
      }
      long behind = g.nominalTimeMillis(i) - p.event().timestampMillis();
      if (behind >= lateBy) {
        late++;
      } else if (behind > 0) {
        outOfOrder++;
      }
      assertEquals(r.eventTimeMillis, p.event().timestampMillis(), "the event time is the record's timestamp");
    }
    // Duplicates of malformed lines are malformed too, so shares are approximate: within 25%.
    assertNear("malformed", 0.03 * (1 + 0.05), malformed / (double) n);
    assertNear("duplicates", 0.05, duplicates / (double) n);
    assertNear("late", 0.02, late / (double) n);
    assertNear("out of order", 0.2, outOfOrder / (double) n);
  }

  @Test
  public void everyMalformedKindIsRejectedByTheContract() {
    InteractionGenerator g = (InteractionGenerator) GeneratedInput.generator(
        "generator:interactions?events=5000&seed=5&malformed=1&duplicates=0");
    Set<String> reasons = new HashSet<>();
    for (long i = 0; i < 2000; i++) {
      InteractionParser.Result p = InteractionParser.parse("g", g.recordAt(i).payload);
      assertTrue(!p.isValid(), "malformed record " + i + " was accepted");
      reasons.add(p.error().replaceAll("'[^']*'", "''").replaceAll(":.*", ""));
    }
    assertEquals(InteractionGenerator.MALFORMED_KINDS, reasons.size(), reasons.toString());
  }

  private static void assertNear(String what, double expected, double actual) {
    assertTrue(Math.abs(actual - expected) <= expected * 0.25, what + ": expected about " + expected + " but was " + actual);
  }
}
