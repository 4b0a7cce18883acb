package dev.meshflow.core;

/** A parsed record that still knows where it came from and its original bytes, for a dead letter. */
public interface Traceable {
  String origin();

  /** The record as it was read, untouched. */
  byte[] payload();

  /** Its event time. */
  long timestampMillis();
}
