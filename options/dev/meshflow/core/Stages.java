package dev.meshflow.core;

/** The stage names a dead letter can carry. */
public final class Stages {
  /** The record is not a valid event: not UTF-8, not JSON, or a field breaks the contract. */
  public static final String PARSE = "parse";
  /** The event arrived after its window closed for good (beyond the allowed lateness). */
  public static final String LATE = "late";
  /** The event's key is missing from a reference table and misses are configured as errors. */
  public static final String ENRICH = "enrich";
  /** The warehouse refused the row (a value it cannot store, a constraint it enforces). */
  public static final String SINK = "sink";
  /**
   * A step after parsing threw on the record: a bug, or data that no rule foresaw. The reason names
   * the step and the error; the record is kept instead of failing (and on Flink restarting) the job.
   */
  public static final String TRANSFORM = "transform";
  /** A whole input could not be read (a gzip file cut short); the payload is the input as stored. */
  public static final String UNREADABLE_FILE = "unreadable-file";

  private Stages() {}
}
