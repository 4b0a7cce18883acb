package dev.meshflow.io.kafka;

import dev.meshflow.io.AfterRun;
import dev.meshflow.io.BacklogProbe;
import dev.meshflow.io.DatasetName;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.stream.BatchedRead;
import dev.meshflow.io.stream.StoppingRead;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.io.kafka.KafkaCheckpointMark;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
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
 *   <li>With a group, offsets are committed only once the records' results are durable, never by
 *       auto-commit. A runner with checkpoints (Flink, Dataflow, Spark) commits when it finalizes
 *       one ({@code commitOffsetsInFinalize}). The Direct runner finalizes a reader's checkpoint
 *       as soon as the records are handed downstream, so there the offsets are committed when the
 *       run has finished ({@link AfterRun}); a run killed before that is read again from the last
 *       finished run's offsets, into the same rows.
 *   <li>{@code start}: earliest or latest ignore committed offsets; committed resumes the group
 *       (earliest where it has none). Default: committed with a group, else earliest.
 *   <li>{@code until=caughtUp} streams until every partition has reached the end it had at launch,
 *       then ends as a stream ends: windows fire their final panes and the sinks flush. It replays
 *       a topic's history with the same event time, windows and lateness as a live run.
 *   <li>{@code maxRecords=N} reads N records and ends, which also allows a batch run. Beam divides
 *       the cap evenly among the readers (one per partition), so it suits balanced partitions; a
 *       reader whose partition holds fewer records waits for more.
 * </ul>
 */
public final class KafkaSource implements RecordSource {
  public static final String SCHEME = "kafka";
  public static final Set<String> PARAMS =
      Set.of("group", "start", "maxDelaySeconds", "idleSeconds", "maxRecords", "until");
  /** {@code until=caughtUp}: stream until every partition reaches the end it had at launch. */
  public static final String CAUGHT_UP = "caughtUp";

  private final String bootstrap;
  private final List<String> topics;
  private final String group;
  private final String start;
  private final Duration maxDelay;
  private final Duration idleAfter;
  private final Long maxRecords;
  private final boolean untilCaughtUp;
  /** The option that named this source, for messages. */
  private final String option;

  private KafkaSource(String option, String bootstrap, List<String> topics, String group, String start,
      Duration maxDelay, Duration idleAfter, Long maxRecords, boolean untilCaughtUp) {
    this.option = option;
    this.untilCaughtUp = untilCaughtUp;
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
    String until = uri.params().get("until");
    if (until != null && !until.equals(CAUGHT_UP)) {
      throw new IllegalArgumentException(uri.option() + ": until=" + until + " is not " + CAUGHT_UP);
    }
    if (until != null && maxRecords != null) {
      throw new IllegalArgumentException(uri.option() + ": give maxRecords or until=" + CAUGHT_UP
          + ", not both");
    }
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
        Duration.standardSeconds(uri.longParam("idleSeconds", 5, 1, 86_400)), maxRecords,
        until != null);
  }

  @Override
  public void requireReachable(Duration timeout) {
    KafkaReachability.require(option, bootstrap, timeout);
  }

  @Override
  public int readers(Duration timeout) {
    return KafkaReachability.partitions(bootstrap, topics, timeout);
  }

  /** The group's lag; without a group nothing is committed, so there is no lag to ask for. */
  @Override
  public BacklogProbe backlogProbe() {
    return group == null ? null : new KafkaBacklog(bootstrap, topics, group);
  }

  @Override
  public boolean isBounded() {
    return maxRecords != null;
  }

  @Override
  public boolean endsByItself() {
    return maxRecords != null || untilCaughtUp;
  }

  @Override
  public List<DatasetName> datasets() {
    return topics.stream().map(t -> new DatasetName("kafka://" + bootstrap, t)).toList();
  }

  @Override
  public String describe() {
    return "Kafka " + bootstrap + " topics " + String.join(",", topics)
        + (group == null ? "" : ", group " + group) + ", from " + start
        + (maxRecords == null ? "" : ", " + maxRecords + " records")
        + (untilCaughtUp ? ", until caught up" : "");
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
        PipelineOptions options = begin.getPipeline().getOptions();
        String positions = null;
        if (group != null && finalizesOnHandOff(options)) {
          positions = ReadPositions.key(bootstrap, group);
          ReadPositions.open(positions);
          String key = positions;
          AfterRun.register(begin.getPipeline(),
              () -> GroupOffsets.commit(bootstrap, group, ReadPositions.take(key)));
        } else if (group != null) {
          read = read.commitOffsetsInFinalize();
        }
        PTransform<PBegin, PCollection<KafkaRecord<byte[], byte[]>>> reading = read;
        if (maxRecords != null) {
          read = read.withMaxNumRecords(maxRecords);
          reading = stopAfter == null ? read : read.withMaxReadTime(stopAfter);
        } else if (untilCaughtUp) {
          if (!StoppingRead.endsJobs(options)) {
            throw new IllegalArgumentException(option + ": until=" + CAUGHT_UP + " needs a runner"
                + " that ends a stream; on " + options.getRunner().getSimpleName()
                + " read a bounded slice with maxRecords=N");
          }
          reading = StoppingRead.of(read, options, stopAfter,
              new CaughtUp(KafkaReachability.endOffsets(bootstrap, topics, Duration.standardSeconds(30))));
        } else if (stopAfter != null) {
          reading = StoppingRead.after(stopAfter, read, read::withMaxReadTime,
              begin.getPipeline().getOptions());
        }
        if (maxRecords == null) {
          reading = BatchedRead.of(reading, options);
        }
        return begin
            .apply("ReadKafka", reading)
            .apply("WithCoordinates", ParDo.of(new WithCoordinatesFn(positions)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()));
      }
    };
  }

  /**
   * Whether the runner finalizes a reader's checkpoint once its records are handed downstream, not
   * once they are durable: the Direct runner, which has no checkpoints to restore from.
   */
  private static boolean finalizesOnHandOff(PipelineOptions options) {
    return options.getRunner().getSimpleName().equals("DirectRunner");
  }

  /**
   * Whether a reader's checkpoint of {@code topics} has reached the end offsets they have now: for
   * another read of Kafka that must stop when caught up ({@link StoppingRead#of}).
   */
  public static SerializableFunction<UnboundedSource.CheckpointMark, Boolean> caughtUpWithNow(
      String bootstrap, List<String> topics) {
    return new CaughtUp(KafkaReachability.endOffsets(bootstrap, topics, Duration.standardSeconds(30)));
  }

  /** Whether a reader's checkpoint has reached the end offsets its partitions had at launch. */
  private static final class CaughtUp
      implements SerializableFunction<UnboundedSource.CheckpointMark, Boolean> {
    private final Map<String, Long> ends;

    CaughtUp(Map<String, Long> ends) {
      this.ends = Map.copyOf(ends);
    }

    @Override
    public Boolean apply(UnboundedSource.CheckpointMark mark) {
      for (KafkaCheckpointMark.PartitionMark p : ((KafkaCheckpointMark) mark).getPartitions()) {
        long end = ends.getOrDefault(p.getTopic() + "/" + p.getPartition(), 0L);
        if (end > 0 && p.getNextOffset() < end) {
          return false;
        }
      }
      return true;
    }
  }

  /** The Kafka coordinates of a record, as its origin. */
  public static String origin(String topic, int partition, long offset) {
    return "kafka:" + topic + "/" + partition + "/" + offset;
  }

  private static final class WithCoordinatesFn
      extends DoFn<KafkaRecord<byte[], byte[]>, KV<String, byte[]>> {
    private static final byte[] EMPTY = new byte[0];
    /** Where this JVM keeps the group's read positions, or null where the runner commits them. */
    private final String positions;

    WithCoordinatesFn(String positions) {
      this.positions = positions;
    }

    @ProcessElement
    public void process(@Element KafkaRecord<byte[], byte[]> r, OutputReceiver<KV<String, byte[]>> out) {
      if (positions != null) {
        ReadPositions.advance(positions, r.getTopic(), r.getPartition(), r.getOffset());
      }
      byte[] value = r.getKV().getValue();
      out.output(KV.of(origin(r.getTopic(), r.getPartition(), r.getOffset()),
          value == null ? EMPTY : value)); // a tombstone is an empty record, dead-lettered as such
    }
  }

  static List<String> split(String csv) {
    return Arrays.asList(csv.split(","));
  }
}
