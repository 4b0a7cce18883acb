package dev.meshflow.io.kafka;

import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.RecordSource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * {@code kafka://host:port[,host:port]/topic[,topic]?group=G&start=earliest|latest|committed}.
 *
 * <ul>
 *   <li>Values are read as raw bytes and parsed downstream, so a bad record becomes a dead letter
 *       instead of a consumer error. The origin {@code kafka:topic/partition/offset} keeps the
 *       source coordinates for dead letters and the ELT landing table.
 *   <li>Event time is the payload's {@code ts}; the watermark trails the newest event time of each
 *       partition by {@code maxDelaySeconds}, and an idle partition (nothing waiting for
 *       {@code idleSeconds}) stops holding it back.
 *   <li>With a group, offsets are committed only when the runner finalizes a checkpoint, that is
 *       after the results are durable ({@code commitOffsetsInFinalize}); auto-commit stays off.
 *   <li>{@code start}: earliest or latest ignore committed offsets; committed resumes the group
 *       (earliest where it has none). Default: committed with a group, else earliest.
 *   <li>{@code maxRecords=N} reads N records and ends, which also allows a batch run. Beam divides
 *       the cap evenly among the readers (one per partition), so it suits balanced partitions; a
 *       reader whose partition holds fewer records waits for more.
 * </ul>
 */
public final class KafkaSource implements RecordSource {
  public static final String SCHEME = "kafka";
  public static final Set<String> PARAMS =
      Set.of("group", "start", "maxDelaySeconds", "idleSeconds", "maxRecords");

  private final String bootstrap;
  private final List<String> topics;
  private final String group;
  private final String start;
  private final Duration maxDelay;
  private final Duration idleAfter;
  private final Long maxRecords;
  /** The option that named this source, for messages. */
  private final String option;

  private KafkaSource(String option, String bootstrap, List<String> topics, String group, String start,
      Duration maxDelay, Duration idleAfter, Long maxRecords) {
    this.option = option;
    this.maxRecords = maxRecords;
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.group = group;
    this.start = start;
    this.maxDelay = maxDelay;
    this.idleAfter = idleAfter;
  }

  public static KafkaSource from(EndpointUri uri, boolean streaming) {
    uri.requireOnly(PARAMS);
    KafkaAddress address = KafkaAddress.parse(uri);
    Long maxRecords = uri.params().containsKey("maxRecords")
        ? uri.longParam("maxRecords", 0, 1, Long.MAX_VALUE) : null;
    if (!streaming && maxRecords == null) {
      throw new IllegalArgumentException(uri.option() + " is a stream; add --streaming"
          + " (and --runFor=PT1M to stop after a minute), or maxRecords=N to read N records in batch");
    }
    String group = uri.params().get("group");
    String start = uri.params().getOrDefault("start", group == null ? "earliest" : "committed");
    if (!Set.of("earliest", "latest", "committed").contains(start)) {
      throw new IllegalArgumentException(
          uri + ": start=" + start + " is not one of earliest, latest, committed");
    }
    if (start.equals("committed") && group == null) {
      throw new IllegalArgumentException(uri + ": start=committed needs group=<consumer group>");
    }
    return new KafkaSource(uri.option(), address.bootstrap(), address.topics(), group, start,
        Duration.standardSeconds(uri.longParam("maxDelaySeconds", 30, 0, 86_400)),
        Duration.standardSeconds(uri.longParam("idleSeconds", 5, 1, 86_400)), maxRecords);
  }

  @Override
  public void requireReachable(Duration timeout) {
    KafkaReachability.require(option, bootstrap, timeout);
  }

  @Override
  public int readers(Duration timeout) {
    return KafkaReachability.partitions(bootstrap, topics, timeout);
  }

  @Override
  public boolean isBounded() {
    return maxRecords != null;
  }

  @Override
  public String describe() {
    return "Kafka " + bootstrap + " topics " + String.join(",", topics)
        + (group == null ? "" : ", group " + group) + ", from " + start
        + (maxRecords == null ? "" : ", " + maxRecords + " records");
  }

  @Override
  public PTransform<PBegin, PCollection<KV<String, byte[]>>> read(Duration stopAfter) {
    return new PTransform<>() {
      @Override
      public PCollection<KV<String, byte[]>> expand(PBegin begin) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            start.equals("latest") ? "latest" : "earliest");
        if (group != null) {
          config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        KafkaIO.Read<byte[], byte[]> read = KafkaIO.<byte[], byte[]>read()
            .withBootstrapServers(bootstrap)
            .withTopics(topics)
            .withKeyDeserializer(ByteArrayDeserializer.class)
            .withValueDeserializer(ByteArrayDeserializer.class)
            .withConsumerConfigUpdates(config)
            .withTimestampPolicyFactory(new PayloadTimePolicy.Factory(maxDelay, idleAfter));
        if (start.equals("earliest") && group != null) {
          // Past the group's committed offsets. KafkaIO fails a partition that has no message
          // yet in this mode, so without a group auto.offset.reset=earliest does it instead: a
          // live job may start before its producer has written anything.
          read = read.withStartReadTime(new Instant(0));
        } else if (start.equals("latest") && group != null) {
          read = read.withStartReadTime(Instant.now());
        }
        if (group != null) {
          read = read.commitOffsetsInFinalize();
        }
        if (stopAfter != null) {
          read = read.withMaxReadTime(stopAfter);
        }
        if (maxRecords != null) {
          read = read.withMaxNumRecords(maxRecords);
        }
        return begin
            .apply("ReadKafka", read)
            .apply("WithCoordinates", ParDo.of(new WithCoordinatesFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()));
      }
    };
  }

  /** The Kafka coordinates of a record, as its origin. */
  public static String origin(String topic, int partition, long offset) {
    return "kafka:" + topic + "/" + partition + "/" + offset;
  }

  private static final class WithCoordinatesFn
      extends DoFn<KafkaRecord<byte[], byte[]>, KV<String, byte[]>> {
    private static final byte[] EMPTY = new byte[0];

    @ProcessElement
    public void process(@Element KafkaRecord<byte[], byte[]> r, OutputReceiver<KV<String, byte[]>> out) {
      byte[] value = r.getKV().getValue();
      out.output(KV.of(origin(r.getTopic(), r.getPartition(), r.getOffset()),
          value == null ? EMPTY : value)); // a tombstone is an empty record, dead-lettered as such
    }
  }

  static List<String> split(String csv) {
    return Arrays.asList(csv.split(","));
  }
}
