package dev.meshflow.transforms.inference;

import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/** An element waiting for its batch, with the timestamp and window its result will carry. */
final class Pending<E> {
  final E element;
  final Instant timestamp;
  final BoundedWindow window;

  Pending(E element, Instant timestamp, BoundedWindow window) {
    this.element = element;
    this.timestamp = timestamp;
    this.window = window;
  }
}
