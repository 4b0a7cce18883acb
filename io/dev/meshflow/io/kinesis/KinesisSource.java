package dev.meshflow.io.kinesis;

import dev.meshflow.io.DatasetName;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.stream.BatchedRead;
import dev.meshflow.io.stream.StoppingRead;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.aws2.common.ClientConfiguration;
import org.apache.beam.sdk.io.aws2.kinesis.KinesisIO;
import org.apache.beam.sdk.io.aws2.kinesis.KinesisRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisClientBuilder;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.kinesis.common.InitialPositionInStream;

/**
 * {@code kinesis://stream?region=R&endpoint=URL&start=trim_horizon|latest}: an AWS Kinesis data
 * stream, or a local emulator when {@code endpoint} is given (kinesis-local from npm). Records are
 * read by polling (emulators have no enhanced fan-out) as raw bytes; the origin is
 * {@code kinesis:stream/shard/sequence}. Credentials come from the default AWS chain; against an
 * endpoint without credentials in the environment, dummy ones are used, as emulators accept any.
 * Event time and the watermark follow the payload's {@code ts}, as for Kafka.
 */
public final class KinesisSource implements RecordSource {
  public static final String SCHEME = "kinesis";
  public static final Set<String> PARAMS =
      Set.of("region", "endpoint", "start", "maxRecords", "maxDelaySeconds", "idleSeconds");

  private final String stream;
  private final String region;
  private final String endpoint;
  private final boolean fromStart;
  private final Long maxRecords;
  private final Duration maxDelay;
  private final Duration idleAfter;

  private KinesisSource(String stream, String region, String endpoint, boolean fromStart,
      Long maxRecords, Duration maxDelay, Duration idleAfter) {
    this.maxDelay = maxDelay;
    this.idleAfter = idleAfter;
    this.stream = stream;
    this.region = region;
    this.endpoint = endpoint;
    this.fromStart = fromStart;
    this.maxRecords = maxRecords;
  }

  public static KinesisSource from(EndpointUri uri, boolean streaming) {
    uri.requireOnly(PARAMS);
    String stream = uri.body().startsWith("//") ? uri.body().substring(2) : uri.body();
    if (!stream.matches("[A-Za-z0-9_.\\-]{1,128}")) {
      throw new IllegalArgumentException(uri + ": expected kinesis://<stream name>?region=R");
    }
    String start = uri.params().getOrDefault("start", "trim_horizon");
    if (!start.equals("trim_horizon") && !start.equals("latest")) {
      throw new IllegalArgumentException(uri + ": start=" + start + " is not trim_horizon or latest");
    }
    String endpoint = uri.params().get("endpoint");
    if (endpoint != null) {
      try {
        URI.create(endpoint).toURL();
      } catch (Exception e) {
        throw new IllegalArgumentException(uri + ": endpoint=" + endpoint + " is not a URL");
      }
    }
    Long maxRecords = uri.params().containsKey("maxRecords")
        ? uri.longParam("maxRecords", 0, 1, Long.MAX_VALUE) : null;
    if (!streaming && maxRecords == null) {
      throw new IllegalArgumentException(uri.option() + " is a stream; add --streaming"
          + " (and --runFor=PT1M to stop after a minute), or maxRecords=N to read N records in batch");
    }
    return new KinesisSource(stream, uri.params().getOrDefault("region", "us-east-1"), endpoint,
        start.equals("trim_horizon"), maxRecords,
        Duration.standardSeconds(uri.longParam("maxDelaySeconds", 30, 0, 86_400)),
        Duration.standardSeconds(uri.longParam("idleSeconds", 5, 1, 86_400)));
  }

  @Override
  public boolean isBounded() {
    return maxRecords != null;
  }

  @Override
  public List<DatasetName> datasets() {
    return List.of(new DatasetName("kinesis://" + region, stream));
  }

  @Override
  public String describe() {
    return "Kinesis stream " + stream + " (" + region + (endpoint == null ? "" : ", " + endpoint)
        + "), from " + (fromStart ? "trim_horizon" : "latest");
  }

  @Override
  public PTransform<PBegin, PCollection<KV<String, byte[]>>> read(Duration stopAfter) {
    return new PTransform<>() {
      @Override
      public PCollection<KV<String, byte[]>> expand(PBegin begin) {
        ClientConfiguration.Builder client = ClientConfiguration.builder().region(Region.of(region))
            .credentialsProvider(credentials());
        if (endpoint != null) {
          client = client.endpoint(URI.create(endpoint));
        }
        KinesisIO.Read read = KinesisIO.read()
            .withStreamName(stream)
            .withClientConfiguration(client.build())
            .withInitialPositionInStream(fromStart
                ? InitialPositionInStream.TRIM_HORIZON : InitialPositionInStream.LATEST)
            .withCustomWatermarkPolicy(PayloadWatermarkPolicy.factory(maxDelay, idleAfter));
        PTransform<PBegin, PCollection<KinesisRecord>> reading = read;
        if (maxRecords != null) {
          read = read.withMaxNumRecords(maxRecords);
          reading = stopAfter == null ? read : read.withMaxReadTime(stopAfter);
        } else if (stopAfter != null) {
          reading = StoppingRead.after(stopAfter, read, read::withMaxReadTime,
              begin.getPipeline().getOptions());
        }
        if (maxRecords == null) {
          reading = BatchedRead.of(reading, begin.getPipeline().getOptions());
        }
        return begin
            .apply("ReadKinesis", reading)
            .apply("WithCoordinates", ParDo.of(new WithCoordinatesFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()));
      }
    };
  }

  /** The default AWS chain; against an endpoint without keys in the environment, dummy ones. */
  private AwsCredentialsProvider credentials() {
    return endpoint != null && System.getenv("AWS_ACCESS_KEY_ID") == null
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))
        : DefaultCredentialsProvider.create();
  }

  /** The stream's open shards, or 0 if the service does not answer within {@code timeout}. */
  @Override
  public int readers(Duration timeout) {
    java.time.Duration limit = java.time.Duration.ofMillis(timeout.getMillis());
    KinesisClientBuilder builder = KinesisClient.builder().region(Region.of(region))
        .credentialsProvider(credentials())
        .overrideConfiguration(c -> c.apiCallTimeout(limit).retryPolicy(RetryMode.STANDARD));
    if (endpoint != null) {
      builder = builder.endpointOverride(URI.create(endpoint));
    }
    try (KinesisClient kinesis = builder.build()) {
      int open = 0;
      ListShardsResponse page = kinesis.listShards(r -> r.streamName(stream));
      while (true) {
        open += (int) page.shards().stream()
            .filter(shard -> shard.sequenceNumberRange().endingSequenceNumber() == null).count();
        String next = page.nextToken();
        if (next == null) {
          return open;
        }
        page = kinesis.listShards(r -> r.nextToken(next));
      }
    } catch (RuntimeException e) {
      return 0; // the run itself reports what is wrong
    }
  }

  private static final class WithCoordinatesFn extends DoFn<KinesisRecord, KV<String, byte[]>> {
    @ProcessElement
    public void process(@Element KinesisRecord r, OutputReceiver<KV<String, byte[]>> out) {
      out.output(KV.of("kinesis:" + r.getStreamName() + "/" + r.getShardId() + "/" + r.getSequenceNumber(),
          r.getDataAsBytes()));
    }
  }
}
