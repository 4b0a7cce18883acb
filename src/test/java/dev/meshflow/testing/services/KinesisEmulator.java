package dev.meshflow.testing.services;

import dev.meshflow.testing.Await;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The Kinesis emulator kinesis-local (the JS build of kinesis-mock), installed by npm from
 * runners-config/local/kinesis/package.json and run with node as its own process. One emulator
 * serves every test in the JVM; it stops when the JVM exits.
 */
public final class KinesisEmulator {
  private static final Path HOME = Path.of("runners-config/local/kinesis");
  private static KinesisEmulator shared;

  private final Process process;
  private final String endpoint;

  private KinesisEmulator(Process process, String endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  public static synchronized KinesisEmulator shared() throws Exception {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared.process::destroy, "stop-kinesis"));
    }
    return shared;
  }

  private static KinesisEmulator start() throws Exception {
    Path main = HOME.resolve("node_modules/kinesis-local/main.js");
    if (!Files.exists(main)) {
      Path log = Files.createTempFile("npm-install", ".log");
      Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund")
          .directory(HOME.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
        throw new IllegalStateException("npm install of kinesis-local failed: " + Files.readString(log));
      }
    }
    int plain;
    int tls;
    try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
      plain = a.getLocalPort();
      tls = b.getLocalPort();
    }
    File log = Files.createTempFile("kinesis-local", ".log").toFile();
    ProcessBuilder pb = new ProcessBuilder("node", main.toString())
        .redirectErrorStream(true).redirectOutput(log);
    pb.environment().put("KINESIS_MOCK_PLAIN_PORT", String.valueOf(plain));
    pb.environment().put("KINESIS_MOCK_TLS_PORT", String.valueOf(tls));
    pb.environment().put("KINESIS_MOCK_CERT_PATH",
        HOME.resolve("node_modules/kinesis-local/server.json").toAbsolutePath().toString());
    pb.environment().put("CREATE_STREAM_DURATION", "100ms");
    KinesisEmulator emulator = new KinesisEmulator(pb.start(), "http://127.0.0.1:" + plain);
    Await.until("the Kinesis emulator on " + emulator.endpoint, java.time.Duration.ofSeconds(60), () -> {
      if (!emulator.process.isAlive()) {
        throw new IllegalStateException("kinesis-local exited: " + Files.readString(log.toPath()));
      }
      try (KinesisClient c = emulator.client()) {
        c.listStreams();
        return true;
      } catch (Exception notYet) {
        return false;
      }
    }, ok -> ok);
    return emulator;
  }

  public String endpoint() {
    return endpoint;
  }

  public KinesisClient client() {
    return client(endpoint);
  }

  /** A client of the emulator at {@code endpoint}, with the dummy credentials it accepts. */
  static KinesisClient client(String endpoint) {
    return KinesisClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .build();
  }

  public void createStream(String name, int shards) throws Exception {
    try (KinesisClient c = client()) {
      c.createStream(r -> r.streamName(name).shardCount(shards));
      awaitActive(c, name);
    }
  }

  static void awaitActive(KinesisClient c, String name) throws Exception {
    Await.until("stream " + name + " active", java.time.Duration.ofSeconds(30),
        () -> c.describeStreamSummary(r -> r.streamName(name)).streamDescriptionSummary().streamStatus(),
        s -> s == StreamStatus.ACTIVE);
  }

  /** Puts every value with its partition key, {@link #PER_REQUEST} per request. */
  public void put(String stream, List<String> partitionKeys, List<byte[]> values) {
    try (KinesisClient c = client()) {
      for (int from = 0; from < values.size(); from += PER_REQUEST) {
        List<PutRecordsRequestEntry> batch = new ArrayList<>();
        for (int i = from; i < Math.min(values.size(), from + PER_REQUEST); i++) {
          batch.add(PutRecordsRequestEntry.builder().partitionKey(partitionKeys.get(i))
              .data(SdkBytes.fromByteArray(values.get(i))).build());
        }
        put(c, stream, batch);
      }
    }
  }

  /** The most records one PutRecords request takes. */
  static final int PER_REQUEST = 500;

  /** One PutRecords request, failing if the emulator refused any of its entries. */
  static void put(KinesisClient c, String stream, List<PutRecordsRequestEntry> batch) {
    int failed = c.putRecords(r -> r.streamName(stream).records(batch)).failedRecordCount();
    if (failed > 0) {
      throw new IllegalStateException(failed + " of " + batch.size() + " records were refused by the emulator");
    }
  }
}
