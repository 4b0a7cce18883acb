package dev.meshflow.transforms.deadletter;

/** The stage names a dead letter can carry. */
public final class Stages {
  /** The record is not a valid event: not UTF-8, not JSON, or a field breaks the contract. */
  public static final String PARSE = "parse";
  /** The event arrived after its window closed for good (beyond the allowed lateness). */
  public static final String LATE = "late";

  private Stages() {}
}
