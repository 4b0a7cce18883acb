package dev.meshflow.io.mesh.producer;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.DataContract;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A producer that dies in the middle of a batch: it publishes a batch whose 501st record never
 * comes, so it is stopped (by the test, with kill -9) after sending 500 records of an open
 * transaction. Arguments: catalog dir, bootstrap, topic, transactional id.
 */
public final class HalfBatchMain {
  private HalfBatchMain() {}

  public static void main(String[] args) throws Exception {
    MeshCatalog catalog = MeshCatalog.open(Path.of(args[0]));
    DataContract songs = catalog.product("songs");
    MeshProducer producer = MeshProducer.open(songs, catalog.registry(), args[1], args[2], args[3]);
    List<Map<String, ?>> records = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      Map<String, Object> song = MeshProducerTest.song(i);
      records.add(song);
      values.add(producer.serialize(song));
    }
    CountDownLatch never = new CountDownLatch(1);
    List<Map<String, ?>> stalling = new AbstractList<>() {
      @Override
      public Map<String, ?> get(int index) {
        if (index == 500) {
          producer.flush(); // the first 500 are on the broker, inside the open transaction
          System.out.println("halfway");
          System.out.flush();
          try {
            never.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return records.get(index);
      }

      @Override
      public int size() {
        return records.size();
      }
    };
    producer.publishAll(stalling, values);
  }
}
