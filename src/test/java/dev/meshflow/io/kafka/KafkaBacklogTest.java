package dev.meshflow.io.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.services.KafkaBroker;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The consumer lag the progress line shows, asked of a real broker: end offsets less the group's
 * committed offsets, a partition without a commit counting from its start; and a broker that does
 * not answer is an error within seconds, not a hang.
 */
public class KafkaBacklogTest {
  @Test
  public void lagIsEndOffsetsLessTheGroupsCommittedOffsets() throws Exception {
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "backlog-lag";
    kafka.createTopic(topic, 2);
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      values.add(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
    }
    kafka.produceEvenly(topic, values, 2); // 50 records in each partition
    try (KafkaBacklog backlog = new KafkaBacklog(kafka.bootstrap(), List.of(topic), "g-lag")) {
      assertEquals(100, backlog.waiting(), "nothing committed yet: all of it waits");
      try (Admin admin = kafka.admin()) {
        admin.alterConsumerGroupOffsets("g-lag",
            Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(30))).all().get(30, TimeUnit.SECONDS);
      }
      assertEquals(20 + 50, backlog.waiting(), "partition 0 done to offset 30; partition 1 not begun");
    }
  }

  @Test
  public void aBrokerThatDoesNotAnswerIsAnErrorWithinSeconds() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    try (KafkaBacklog backlog = new KafkaBacklog("127.0.0.1:" + port, List.of("t"), "g")) {
      long start = System.nanoTime();
      IllegalStateException e = assertThrows(IllegalStateException.class, backlog::waiting);
      assertEquals("Kafka at 127.0.0.1:" + port + " did not answer", e.getMessage());
      assertTrue(System.nanoTime() - start < 5_000_000_000L, "answered within 5 s");
    }
  }
}
