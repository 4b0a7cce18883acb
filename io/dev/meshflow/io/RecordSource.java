package dev.meshflow.io;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * A source of raw records. Every source emits {@code KV<origin, payload>}: the payload is the
 * record's original bytes, untouched, and the origin names where it came from (file and line,
 * generator seed and index, later topic/partition/offset), so a dead letter can point back to it.
 */
public interface RecordSource extends Serializable {

  /** Whether the source ends; the launcher reports which mode a run is in. */
  boolean isBounded();

  /** A one-line description for the run summary. */
  String describe();

  PTransform<PBegin, PCollection<KV<String, byte[]>>> read();
}
