package dev.meshflow.io;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * A source of raw records. Every source emits {@code KV<origin, payload>}: the payload is the
 * record's original bytes, untouched, and the origin names where it came from (file and line,
 * generator seed and index, Kafka topic/partition/offset), so a dead letter can point back to it.
 */
public interface RecordSource extends Serializable {

  /** Whether the source ends; the launcher reports which mode a run is in. */
  boolean isBounded();

  /**
   * Whether a read of it ends by itself, streaming or not: a bounded source, or a stream read until
   * it has caught up. Reference streams read beside it (a product's changelog) end then too.
   */
  default boolean endsByItself() {
    return isBounded();
  }

  /** A one-line description for the run summary. */
  String describe();

  /** What the run reads, as lineage datasets; empty where it is not a dataset (a generator). */
  default java.util.List<DatasetName> datasets() {
    return java.util.List.of();
  }

  /** Reads until the source ends (or forever, for an endless stream). */
  default PTransform<PBegin, PCollection<KV<String, byte[]>>> read() {
    return read(null);
  }

  /**
   * Reads, and in streaming mode stops reading after {@code stopAfter} (null: never). Stopping is
   * graceful: the source ends, so the watermark reaches the end of time, every window fires its
   * final pane, and the sinks finish their bundles before the pipeline reports DONE.
   */
  PTransform<PBegin, PCollection<KV<String, byte[]>>> read(Duration stopAfter);

  /**
   * Before a run in this JVM: fails fast, naming the address, when the service the source reads
   * from does not answer within {@code timeout}. Sources without a service do nothing.
   *
   * @throws IllegalStateException if the service does not answer
   */
  default void requireReachable(Duration timeout) {}

  /**
   * How many readers the source splits into when it runs (one per Kafka partition or Kinesis
   * shard), asked of the service within {@code timeout}; 0 where it does not split that way or
   * the service does not say.
   */
  default int readers(Duration timeout) {
    return 0;
  }

  /**
   * A probe the launcher asks, while the job runs, how many records wait for it; null where the
   * source cannot say (a file, the generator, Kafka without a consumer group).
   */
  default BacklogProbe backlogProbe() {
    return null;
  }

  /** Reference data named {@code zones}: the map of zones, as GeoJSON, that the source's world defines. */
  String ZONES = "zones";
  /** Reference data named {@code products}: the product catalog, as JSON lines. */
  String PRODUCTS = "products";

  /**
   * Reference data that the source's own world defines ({@link #ZONES} for the vehicle generator,
   * {@link #PRODUCTS} for the clicks generator), for a pipeline's {@code --zones=generator} or
   * {@code --products=generator}; empty where the source defines none.
   */
  default java.util.Optional<String> referenceData(String name) {
    return java.util.Optional.empty();
  }

  /** Whether some input may be unreadable as a whole (a gzip file cut short), not just a record. */
  default boolean mayFindUnreadableInput() {
    return false;
  }

  /**
   * Like {@link #read(Duration)}, but input that cannot be read at all goes to {@code unreadable}
   * instead of failing the run. Each {@link BadRecord} carries the input's origin as its
   * human-readable record, its stored bytes (at most {@link #UNREADABLE_BYTES_KEPT}) as its encoded
   * record, and why as its failure's description. Records read before the failure are emitted.
   */
  default PTransform<PBegin, PCollection<KV<String, byte[]>>> read(
      Duration stopAfter, ErrorHandler<BadRecord, ?> unreadable) {
    return read(stopAfter);
  }

  /** How much of an unreadable input its bad record keeps; the input itself stays where it is. */
  int UNREADABLE_BYTES_KEPT = 1 << 20;
}
