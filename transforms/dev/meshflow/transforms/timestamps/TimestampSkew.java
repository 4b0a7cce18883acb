package dev.meshflow.transforms.timestamps;

import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Duration;

/** The allowed timestamp skew for DoFns that may output at any earlier time. */
public final class TimestampSkew {
  /**
   * Any output time from Beam's minimum timestamp up is allowed. Not {@code Long.MAX_VALUE}: the
   * runner subtracts the skew from the element's timestamp on every timestamped output, and for an
   * element at the minimum timestamp (what a bounded source emits before event times are assigned)
   * that overflows, throwing and catching an ArithmeticException each time: about a microsecond
   * per output in a profile.
   */
  public static final Duration UNLIMITED = Duration.millis(
      BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis() - BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis());

  private TimestampSkew() {}
}
