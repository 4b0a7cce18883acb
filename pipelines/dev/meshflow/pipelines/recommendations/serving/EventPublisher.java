package dev.meshflow.pipelines.recommendations.serving;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.producer.MeshProducer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * {@code POST /events}' way into the mesh: each event is checked against the Interactions
 * product's contract and published to its topic through the producer API, as any producer of
 * that product does. The catalog and the producer are opened at the first event, so the read
 * routes never need them.
 */
final class EventPublisher implements AutoCloseable {
  static final String PRODUCT = "interactions";

  private final Path catalogDir;
  private final String bootstrap;
  private final String topic;
  private MeshProducer producer;

  /**
   * @param bootstrap the brokers; null: the product's kafka port's host
   * @param topic the topic; null: the product's own
   */
  EventPublisher(Path catalogDir, String bootstrap, String topic) {
    this.catalogDir = catalogDir;
    this.bootstrap = bootstrap;
    this.topic = topic;
  }

  /** The event's id on the topic; RefusedRecordException names each broken rule. */
  String publish(Map<String, Object> event) throws InterruptedException, ExecutionException {
    return producer().publish(event);
  }

  String topic() {
    return producer().topic();
  }

  private synchronized MeshProducer producer() {
    if (producer == null) {
      if (!Files.isDirectory(catalogDir)) {
        throw new IllegalStateException("no catalog at " + catalogDir + " to find the " + PRODUCT
            + " product in; ./meshflow catalog init creates it, or start serve with --catalog=DIR");
      }
      MeshCatalog catalog = MeshCatalog.open(catalogDir);
      producer = MeshProducer.open(catalog.product(PRODUCT), catalog.registry(), bootstrap, topic, null);
    }
    return producer;
  }

  /** Forgets a producer whose broker failed, so that the next event opens a fresh one. */
  synchronized void reset() {
    if (producer != null) {
      producer.close();
      producer = null;
    }
  }

  @Override
  public synchronized void close() {
    reset();
  }
}
