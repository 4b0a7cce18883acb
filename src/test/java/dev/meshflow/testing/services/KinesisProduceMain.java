package dev.meshflow.testing.services;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * Kinesis's counterpart of Kafka's console producer, for manual runs against the local emulator:
 * {@code <endpoint> <stream> <shards>}. Creates the stream if it is missing, then puts each line
 * of standard input as one record (500 per request, the partition key its line number, so the
 * shards fill evenly). runners-config/local/services.sh kinesis-produce runs it.
 */
public final class KinesisProduceMain {
  private KinesisProduceMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: KinesisProduceMain <endpoint> <stream> <shards>");
      System.exit(2);
    }
    String stream = args[1];
    try (KinesisClient kinesis = KinesisEmulator.client(args[0])) {
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
        if (batch.size() == KinesisEmulator.PER_REQUEST) {
          sent += flush(kinesis, stream, batch);
        }
      }
      sent += flush(kinesis, stream, batch);
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
    KinesisEmulator.awaitActive(kinesis, stream);
  }

  /** Puts the batch and empties it; returns how many records it held. */
  private static int flush(KinesisClient kinesis, String stream, List<PutRecordsRequestEntry> batch) {
    if (batch.isEmpty()) {
      return 0;
    }
    KinesisEmulator.put(kinesis, stream, batch);
    int n = batch.size();
    batch.clear();
    return n;
  }
}
