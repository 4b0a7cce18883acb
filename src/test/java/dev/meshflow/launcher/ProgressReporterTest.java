package dev.meshflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/**
 * The progress line's event time and consumer lag say whether the job keeps up with its input, and a
 * service that does not answer is one line.
 */
public class ProgressReporterTest {
  private static final long INTERVAL = 5_000;
  private static final long NOW = java.time.Instant.parse("2026-12-05T12:00:00Z").toEpochMilli();

  private final ProgressReporter progress =
      ProgressReporter.start(new PrintStream(new ByteArrayOutputStream()), 0, true, null);

  @Test
  public void nothingBeforeTheFirstEvent() {
    assertEquals("", progress.eventTime(null, NOW, INTERVAL, true));
  }

  @Test
  public void aLagThatGrowsIsFallingBehind() {
    progress.eventTime(NOW - 10_000, NOW, INTERVAL, true);
    // Five seconds later event time moved one second: the input outruns the job.
    assertEquals(" | event time 2026-12-05T11:59:51Z (14 s behind, falling behind)",
        progress.eventTime(NOW - 9_000, NOW + INTERVAL, INTERVAL, true));
  }

  @Test
  public void aLagThatHoldsIsKeepingUpAndOneThatShrinksIsCatchingUp() {
    progress.eventTime(NOW - 3_000, NOW, INTERVAL, true);
    assertEquals(" | event time 2026-12-05T12:00:02Z (3 s behind, keeping up)",
        progress.eventTime(NOW + 2_000, NOW + INTERVAL, INTERVAL, true));
    long march = java.time.Instant.parse("2026-03-07T10:00:00Z").toEpochMilli();
    progress.eventTime(march, NOW, INTERVAL, true);
    assertEquals(" | event time 2026-03-07T11:00:00Z (273 d behind, catching up)",
        progress.eventTime(march + 3_600_000, NOW + INTERVAL, INTERVAL, true));
  }

  @Test
  public void nothingReadSinceTheLastLineIsNoVerdict() {
    progress.eventTime(NOW - 10_000, NOW, INTERVAL, true);
    assertEquals(" | event time 2026-12-05T11:59:50Z (15 s behind, no new records)",
        progress.eventTime(NOW - 10_000, NOW + INTERVAL, INTERVAL, false));
  }

  @Test
  public void eventTimeAheadOfTheClockSaysSo() {
    assertEquals(" | event time 2026-12-05T13:00:00Z (60 min ahead)",
        progress.eventTime(NOW + 3_600_000, NOW, INTERVAL, true));
  }

  @Test
  public void aJobsOwnCountersShowWhenTheyMoveAndStillnessIsTimed() {
    long t0 = 1_000_000_000L;
    assertEquals(" | retrain_triggers 1", progress.activity(
        java.util.Map.of("records_read", 100L, "retrain_triggers", 1L), t0));
    assertEquals(" | retrain_triggers 2",
        progress.activity(java.util.Map.of("records_read", 100L, "retrain_triggers", 2L), t0 + 5_000_000_000L), "the job's own counter moved, reading did not");
    assertEquals(" | working: no count has moved for 10 s", progress.activity(
        java.util.Map.of("records_read", 100L, "retrain_triggers", 2L), t0 + 15_000_000_000L));
  }

  @Test
  public void windowByWindowWorkSaysWhichWindowOfHowManyAndTheTimeLeft() {
    long hour = 3_600_000L;
    // Windows of 4 h every hour over 10 h of events: 13 windows hold some of them.
    java.util.List<dev.meshflow.core.WindowedPhase> training = java.util.List.of(
        dev.meshflow.core.WindowedPhase.of("training window", 4 * hour, hour,
            java.util.List.of("models_trained", "windows_too_small")));
    long t0 = 1_000_000_000L;
    assertEquals("",
        progress.phases(training, java.util.Map.of(), 0L, 8 * hour, t0), "nothing trained yet");
    assertEquals(" | training window 2 of about 13",
        progress.phases(training, java.util.Map.of("models_trained", 1L), 0L, 10 * hour - 1, t0 + 1), "still reading: the count of windows is an estimate");
    // Reading done (event time no longer moves): 3 more windows in 10 s, 9 to go.
    assertEquals(" | training window 5 of 13, about 30 s left", progress.phases(training,
        java.util.Map.of("models_trained", 3L, "windows_too_small", 1L), 0L, 10 * hour - 1,
        t0 + 1 + 10_000_000_000L));
    assertEquals(" | training windows done: 13", progress.phases(training,
        java.util.Map.of("models_trained", 12L, "windows_too_small", 1L), 0L, 10 * hour - 1,
        t0 + 60_000_000_000L));
  }

  @Test
  public void consumerLagThatGrowsTwoLinesRunningIsFallingBehind() {
    String kafka = "Kafka at 127.0.0.1:9092";
    assertEquals(" | consumer lag 1,000", progress.backlog(kafka, 1_000L, 0));
    // One rise may be a checkpoint's commit still to come; two in a row are not.
    assertEquals(" | consumer lag 1,500", progress.backlog(kafka, 1_500L, 5));
    assertEquals(" | consumer lag 2,100, falling behind", progress.backlog(kafka, 2_100L, 10));
    assertEquals(" | consumer lag 300, catching up", progress.backlog(kafka, 300L, 15));
  }

  @Test
  public void aServiceThatDoesNotAnswerIsOneLineWithHowLong() {
    String kafka = "Kafka at 127.0.0.1:9092";
    long t0 = 1_000_000_000L;
    assertEquals(" | Kafka at 127.0.0.1:9092 not answering; the job waits for it",
        progress.backlog(kafka, null, t0));
    assertEquals(" | Kafka at 127.0.0.1:9092 not answering for 20 s; the job waits for it",
        progress.backlog(kafka, null, t0 + 20_000_000_000L));
    assertEquals(" | consumer lag 40", progress.backlog(kafka, 40L, t0 + 25_000_000_000L));
  }

  @Test
  public void lagsReadAsPeopleSayThem() {
    assertEquals("12 s", ProgressReporter.approximate(12_000));
    assertEquals("4 min", ProgressReporter.approximate(4 * 60_000 + 10_000));
    assertEquals("3.5 h", ProgressReporter.approximate(3 * 3_600_000 + 1_800_000));
  }
}
