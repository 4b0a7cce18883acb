package dev.meshflow.transforms.recommendations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How a running total's row is versioned, so that the sink keeps the right one. */
public class StoreRowsTest {
  private static final long RUN = 1_796_600_000L;

  @Test
  public void aLaterRunReplacesAnyRowOfAnEarlierOne() {
    assertTrue(StoreRows.runVersion(RUN + 1, 0) > StoreRows.runVersion(RUN, Long.MAX_VALUE));
  }

  /**
   * Within a run the total that has got further wins, whatever order the sink sees the rows in. A
   * Flink job restored after losing a task fires its panes from the checkpoint's index again, so a
   * pane-indexed version of its final total (pane 3 after the restore) lost to the partial total the
   * lost attempt had written (pane 5); counted events do not go back.
   */
  @Test
  public void withinARunTheTotalThatHasGotFurtherWins() {
    long lostAttemptsPartial = StoreRows.runVersion(RUN, 40);
    long restoredFinal = StoreRows.runVersion(RUN, 55);
    assertTrue(restoredFinal > lostAttemptsPartial);
    assertEquals(StoreRows.runVersion(RUN, 40), lostAttemptsPartial, "the same total, the same version");
  }

  @Test
  public void progressBeyondThirtyTwoBitsOrBelowZeroStaysInItsRun() {
    assertEquals((RUN << 32) | 0xFFFF_FFFFL, StoreRows.runVersion(RUN, 1L << 40));
    assertEquals(RUN << 32, StoreRows.runVersion(RUN, -1));
  }
}
