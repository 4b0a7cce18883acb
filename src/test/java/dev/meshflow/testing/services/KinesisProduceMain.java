package dev.meshflow.testing.services;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Kinesis's counterpart of Kafka's console producer, for manual runs against the local emulator:
 * {@code <endpoint> <stream> <shards>}. Creates the stream if it is missing, then puts each line
 * of standard input as one record (500 per request, the partition key its line number, so the
 * shards fill evenly). runners-config/local/services.sh kinesis-produce runs it.
 */
public final class KinesisProduceMain {
  private static final int PER_REQUEST = 500;

  private KinesisProduceMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: KinesisProduceMain <endpoint> <stream> <shards>");
      System.exit(2);
    }
    String stream = args[1];
    try (KinesisClient kinesis = KinesisClient.builder().endpointOverride(URI.create(args[0]))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .build()) {
      ensureStream(kinesis, stream, Integer.parseInt(args[2]));
      long sent = 0;
      List<PutRecordsRequestEntry> batch = new ArrayList<>();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          continue;
        }
        batch.add(PutRecordsRequestEntry.builder().partitionKey(Long.toString(sent + batch.size()))
            .data(SdkBytes.fromString(line, StandardCharsets.UTF_8)).build());
        if (batch.size() == PER_REQUEST) {
          sent += put(kinesis, stream, batch);
        }
      }
      sent += put(kinesis, stream, batch);
      System.err.println("kinesis-produce: " + sent + " records put into " + stream);
    }
  }

  private static void ensureStream(KinesisClient kinesis, String stream, int shards) throws Exception {
    try {
      kinesis.describeStreamSummary(r -> r.streamName(stream));
    } catch (ResourceNotFoundException missing) {
      kinesis.createStream(r -> r.streamName(stream).shardCount(shards));
      System.err.println("kinesis-produce: created stream " + stream + " with " + shards + " shards");
    }
    dev.meshflow.testing.Await.until("stream " + stream + " active", java.time.Duration.ofSeconds(30),
        () -> kinesis.describeStreamSummary(r -> r.streamName(stream)).streamDescriptionSummary().streamStatus(),
        s -> s == StreamStatus.ACTIVE);
  }

  private static int put(KinesisClient kinesis, String stream, List<PutRecordsRequestEntry> batch) {
    if (batch.isEmpty()) {
      return 0;
    }
    int failed = kinesis.putRecords(r -> r.streamName(stream).records(batch)).failedRecordCount();
    if (failed > 0) {
      throw new IllegalStateException(failed + " of " + batch.size() + " records were refused");
    }
    int n = batch.size();
    batch.clear();
    return n;
  }
}
