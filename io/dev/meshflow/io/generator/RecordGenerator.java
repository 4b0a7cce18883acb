package dev.meshflow.io.generator;

import java.io.Serializable;

/**
 * A seeded producer whose record {@code i} is a pure function of (seed, i), so any runner, at any
 * parallelism, produces the same records, and a test can recompute them.
 */
public interface RecordGenerator extends Serializable {
  GeneratedRecord recordAt(long index);

  /**
   * The timestamp record {@code index} is emitted with in a live run; the rendered record's event
   * time unless a generator knows it without rendering (the live source asks for every record).
   */
  default long emitTimeMillis(long index) {
    return recordAt(index).eventTimeMillis;
  }

  /** Where record {@code index} came from, as dead letters and origins name it. */
  String originOf(long index);
}
