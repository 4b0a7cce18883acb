package dev.meshflow.io;

/**
 * Asks a stream's service, while a job runs, how many records wait for the job: for Kafka, the
 * end offsets less the consumer group's committed offsets, as {@code kafka-consumer-groups}
 * reports lag. The launcher's progress line shows it; a service that does not answer shows as
 * unreachable, in one line, instead of the client library's repeated warnings.
 */
public interface BacklogProbe extends AutoCloseable {
  /** The service as the user named it, e.g. "Kafka at 127.0.0.1:9092". */
  String service();

  /**
   * Records waiting, summed over partitions.
   *
   * @throws IllegalStateException if the service does not answer in time
   */
  long waiting();

  @Override
  void close();
}
