package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.clickstream.ClickEvent;
import dev.meshflow.transforms.clickstream.ClickEventCoder;
import dev.meshflow.transforms.clickstream.ClickParser;
import dev.meshflow.transforms.clickstream.ClickPrivacy;
import dev.meshflow.transforms.anomaly.KMeansTrainer;
import dev.meshflow.transforms.anomaly.TrainModels;
import dev.meshflow.transforms.fleet.PositionParser;
import dev.meshflow.transforms.fleet.SpeedStats;
import dev.meshflow.transforms.fleet.VehiclePosition;
import dev.meshflow.transforms.fleet.VehiclePositionCoder;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionEventCoder;
import dev.meshflow.transforms.interactions.InteractionParser;
import dev.meshflow.transforms.skips.Listen;
import dev.meshflow.transforms.skips.ListenCoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.schemas.JavaFieldSchema;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaCreate;
import org.junit.jupiter.api.Test;

/**
 * meshflow's hand-written coders against the coder Beam infers for the same fields
 * ({@code @DefaultSchema(JavaFieldSchema.class)}, a {@code SchemaCoder} over a {@code RowCoder}),
 * for the element types every record of a job passes through a shuffle as. Each type gets a twin
 * with the same fields and an {@code @SchemaCreate} constructor; the elements are converted before
 * timing, so each coder only encodes and decodes. Rounds alternate the two coders; the table keeps
 * each one's best round. Run with {@code mvn -B -Pbenchmarks test -Dtest=CoderBenchmark}
 * ({@code -Dbench.coder.elements=200000 -Dbench.coder.rounds=9}); the table is printed and
 * written to target/benchmarks/coders.md.
 */
public class CoderBenchmark {
  private static final int ELEMENTS = Integer.getInteger("bench.coder.elements", 200_000);
  private static final int ROUNDS = Integer.getInteger("bench.coder.rounds", 9);

  @Test
  public void handWrittenCodersAgainstInferredSchemaCoders() throws Exception {
    SchemaRegistry schemas = SchemaRegistry.createDefault();
    List<String> rows = new ArrayList<>();

    List<InteractionEvent> events = new ArrayList<>();
    for (InteractionParser.Result r : GeneratedInput.records("generator:interactions?seed=7&events=" + ELEMENTS, ELEMENTS,
        InteractionParser::parse)) {
      InteractionEvent e = r.event();
      if (e != null) {
        events.add(e);
      }
    }
    rows.add(compare("InteractionEvent (11 fields)", events, InteractionEventCoder.of(),
        InteractionTwin::new, schemas.getSchemaCoder(InteractionTwin.class)));

    List<VehiclePosition> positions = new ArrayList<>();
    for (byte[] p : GeneratedInput.records("generator:vehicles?vehicles=200&seed=7&events=" + ELEMENTS, ELEMENTS, (o, b) -> b)) {
      VehiclePosition v = PositionParser.parse("bench", p).position;
      if (v != null) {
        positions.add(v);
      }
    }
    rows.add(compare("VehiclePosition (11 fields)", positions, VehiclePositionCoder.of(),
        PositionTwin::new, schemas.getSchemaCoder(PositionTwin.class)));

    List<ClickEvent> clicks = new ArrayList<>();
    for (byte[] p : GeneratedInput.records("generator:clicks?seed=7&events=" + ELEMENTS, ELEMENTS, (o, b) -> b)) {
      ClickEvent c = ClickParser.parse("bench", p, ClickPrivacy.truncating()).event;
      if (c != null) {
        clicks.add(c);
      }
    }
    rows.add(compare("ClickEvent (18 fields)", clicks, ClickEventCoder.of(),
        ClickTwin::new, schemas.getSchemaCoder(ClickTwin.class)));

    List<DeadLetter> deadLetters = new ArrayList<>();
    for (InteractionEvent e : events) {
      deadLetters.add(new DeadLetter("parse", "missing field user_id", e.origin(), e.payload(),
          e.timestampMillis(), e.timestampMillis() + 1));
    }
    rows.add(compare("DeadLetter (6 fields)", deadLetters, DeadLetterCoder.of(),
        DeadLetterTwin::new, schemas.getSchemaCoder(DeadLetterTwin.class)));

    Random random = new Random(7);
    List<Listen> listens = new ArrayList<>();
    for (InteractionEvent e : events) {
      float[] features = new float[45];
      for (int i = 0; i < features.length; i++) {
        features[i] = random.nextFloat();
      }
      listens.add(new Listen(e.eventId(), e.userId(), e.itemId(), e.sessionId(), e.timestampMillis(), features));
    }
    rows.add(compare("Listen (5 fields + 45 floats)", listens, ListenCoder.of(),
        ListenTwin::new, schemas.getSchemaCoder(ListenTwin.class)));

    List<SpeedStats> speedStats = new ArrayList<>();
    for (int i = 0; i < positions.size(); i++) {
      SpeedStats stats = new SpeedStats();
      for (int j = i; j < Math.min(positions.size(), i + 5); j++) {
        stats.add(positions.get(j)); // an accumulator a few reports in, as combining passes them on
      }
      speedStats.add(stats);
    }
    rows.add(compare("SpeedStats, an accumulator (11 fields)", speedStats, SpeedStats.StatsCoder.of(),
        SpeedStatsTwin::new, schemas.getSchemaCoder(SpeedStatsTwin.class)));

    List<KMeansTrainer.Sample> samples = new ArrayList<>();
    for (InteractionEvent e : events) {
      double[] features = new double[8];
      for (int i = 0; i < features.length; i++) {
        features[i] = random.nextGaussian();
      }
      samples.add(new KMeansTrainer.Sample(e.eventId(), features));
    }
    rows.add(compare("KMeansTrainer.Sample (id + 8 doubles)", samples, TrainModels.SampleCoder.of(),
        SampleTwin::new, schemas.getSchemaCoder(SampleTwin.class)));

    BenchmarkReport.publish("coders.md", String.join("\n", List.of(
        String.format("%,d elements of each type, best of %d alternating rounds; %s", ELEMENTS, ROUNDS,
            BenchmarkReport.machine()),
        "",
        "| element | hand-written: ns per element (encode + decode) | schema coder: ns per element"
            + " | schema throughput vs hand-written | bytes per element: hand / schema |",
        "|---|---:|---:|---:|---:|",
        String.join("\n", rows))));
  }

  /** Times both coders over the same elements; checks each round-trips what it encoded. */
  private static <T, W> String compare(String name, List<T> elements, Coder<T> hand,
      Function<T, W> twin, Coder<W> schema) throws IOException {
    List<W> twins = new ArrayList<>(elements.size());
    elements.forEach(e -> twins.add(twin.apply(e)));
    long handBest = Long.MAX_VALUE;
    long schemaBest = Long.MAX_VALUE;
    int handBytes = 0;
    int schemaBytes = 0;
    for (int round = 0; round < ROUNDS; round++) {
      System.gc();
      long[] h = roundTrip(hand, elements);
      System.gc();
      long[] s = roundTrip(schema, twins);
      handBest = Math.min(handBest, h[0]);
      schemaBest = Math.min(schemaBest, s[0]);
      handBytes = (int) h[1];
      schemaBytes = (int) s[1];
    }
    double n = elements.size();
    return String.format("| %s | %.0f | %.0f | %.2f | %.0f / %.0f |", name, handBest / n, schemaBest / n,
        (double) handBest / schemaBest, handBytes / n, schemaBytes / n);
  }

  /** Encodes every element into one buffer and decodes them all: {nanoseconds, bytes}. */
  private static <T> long[] roundTrip(Coder<T> coder, List<T> elements) throws IOException {
    long start = System.nanoTime();
    ByteArrayOutputStream out = new ByteArrayOutputStream(elements.size() * 256);
    for (T e : elements) {
      coder.encode(e, out);
    }
    byte[] bytes = out.toByteArray();
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    List<T> decoded = new ArrayList<>(elements.size());
    for (int i = 0; i < elements.size(); i++) {
      decoded.add(coder.decode(in));
    }
    long nanos = System.nanoTime() - start;
    // Not every element type has equals: what was decoded must encode to the same bytes.
    ByteArrayOutputStream again = new ByteArrayOutputStream(bytes.length);
    for (T e : decoded) {
      coder.encode(e, again);
    }
    assertTrue(Arrays.equals(bytes, again.toByteArray()), coder + " round-trips what it encoded");
    return new long[] {nanos, bytes.length};
  }

  @DefaultSchema(JavaFieldSchema.class)
  public static final class InteractionTwin {
    public final String eventId;
    public final long timestampMillis;
    public final String userId;
    public final String itemId;
    public final String itemType;
    public final String eventType;
    public final @org.checkerframework.checker.nullness.qual.Nullable String device;
    public final @org.checkerframework.checker.nullness.qual.Nullable String sessionId;
    public final @org.checkerframework.checker.nullness.qual.Nullable Long durationMs;
    public final String origin;
    public final byte[] payload;

    @SchemaCreate
    public InteractionTwin(String eventId, long timestampMillis, String userId, String itemId, String itemType,
        String eventType, String device, String sessionId, Long durationMs, String origin, byte[] payload) {
      this.eventId = eventId;
      this.timestampMillis = timestampMillis;
      this.userId = userId;
      this.itemId = itemId;
      this.itemType = itemType;
      this.eventType = eventType;
      this.device = device;
      this.sessionId = sessionId;
      this.durationMs = durationMs;
      this.origin = origin;
      this.payload = payload;
    }

    InteractionTwin(InteractionEvent e) {
      this(e.eventId(), e.timestampMillis(), e.userId(), e.itemId(), e.itemType(), e.eventType(), e.device(),
          e.sessionId(), e.durationMs(), e.origin(), e.payload());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof InteractionTwin t && eventId.equals(t.eventId) && timestampMillis == t.timestampMillis
          && Objects.equals(sessionId, t.sessionId) && Objects.equals(durationMs, t.durationMs)
          && Arrays.equals(payload, t.payload);
    }

    @Override
    public int hashCode() {
      return eventId.hashCode();
    }
  }

  @DefaultSchema(JavaFieldSchema.class)
  public static final class PositionTwin {
    public final String vehicleId;
    public final long tsMillis;
    public final double lat;
    public final double lon;
    public final @org.checkerframework.checker.nullness.qual.Nullable Double speedKmh;
    public final boolean speedFilled;
    public final @org.checkerframework.checker.nullness.qual.Nullable String zoneId;
    public final int limitKmh;
    public final @org.checkerframework.checker.nullness.qual.Nullable String exitedZoneId;
    public final String origin;
    public final byte[] payload;

    @SchemaCreate
    public PositionTwin(String vehicleId, long tsMillis, double lat, double lon, Double speedKmh,
        boolean speedFilled, String zoneId, int limitKmh, String exitedZoneId, String origin, byte[] payload) {
      this.vehicleId = vehicleId;
      this.tsMillis = tsMillis;
      this.lat = lat;
      this.lon = lon;
      this.speedKmh = speedKmh;
      this.speedFilled = speedFilled;
      this.zoneId = zoneId;
      this.limitKmh = limitKmh;
      this.exitedZoneId = exitedZoneId;
      this.origin = origin;
      this.payload = payload;
    }

    PositionTwin(VehiclePosition p) {
      this(p.vehicleId, p.tsMillis, p.lat, p.lon, p.speedKmh, p.speedFilled, p.zoneId, p.limitKmh,
          p.exitedZoneId, p.origin, p.payload);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PositionTwin t && vehicleId.equals(t.vehicleId) && tsMillis == t.tsMillis
          && lat == t.lat && Objects.equals(speedKmh, t.speedKmh) && Objects.equals(zoneId, t.zoneId)
          && Arrays.equals(payload, t.payload);
    }

    @Override
    public int hashCode() {
      return vehicleId.hashCode();
    }
  }

  @DefaultSchema(JavaFieldSchema.class)
  public static final class ClickTwin {
    public final @org.checkerframework.checker.nullness.qual.Nullable String eventId;
    public final long tsMillis;
    public final String cookieId;
    public final @org.checkerframework.checker.nullness.qual.Nullable String deviceId;
    public final @org.checkerframework.checker.nullness.qual.Nullable String userId;
    public final String ip;
    public final String country;
    public final String userAgent;
    public final String page;
    public final String action;
    public final @org.checkerframework.checker.nullness.qual.Nullable String productId;
    public final @org.checkerframework.checker.nullness.qual.Nullable Long priceCents;
    public final @org.checkerframework.checker.nullness.qual.Nullable String referrer;
    public final @org.checkerframework.checker.nullness.qual.Nullable String searchText;
    public final @org.checkerframework.checker.nullness.qual.Nullable String category;
    public final @org.checkerframework.checker.nullness.qual.Nullable String personId;
    public final String origin;
    public final byte[] payload;

    @SchemaCreate
    public ClickTwin(String eventId, long tsMillis, String cookieId, String deviceId, String userId, String ip,
        String country, String userAgent, String page, String action, String productId, Long priceCents,
        String referrer, String searchText, String category, String personId, String origin, byte[] payload) {
      this.eventId = eventId;
      this.tsMillis = tsMillis;
      this.cookieId = cookieId;
      this.deviceId = deviceId;
      this.userId = userId;
      this.ip = ip;
      this.country = country;
      this.userAgent = userAgent;
      this.page = page;
      this.action = action;
      this.productId = productId;
      this.priceCents = priceCents;
      this.referrer = referrer;
      this.searchText = searchText;
      this.category = category;
      this.personId = personId;
      this.origin = origin;
      this.payload = payload;
    }

    ClickTwin(ClickEvent e) {
      this(e.eventId, e.tsMillis, e.cookieId, e.deviceId, e.userId, e.ip, e.country, e.userAgent, e.page,
          e.action, e.productId, e.priceCents, e.referrer, e.searchText, e.category, e.personId, e.origin,
          e.payload);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ClickTwin t && cookieId.equals(t.cookieId) && tsMillis == t.tsMillis
          && Objects.equals(priceCents, t.priceCents) && Objects.equals(searchText, t.searchText)
          && Arrays.equals(payload, t.payload);
    }

    @Override
    public int hashCode() {
      return cookieId.hashCode();
    }
  }

  @DefaultSchema(JavaFieldSchema.class)
  public static final class DeadLetterTwin {
    public final String stage;
    public final String reason;
    public final String origin;
    public final byte[] payload;
    public final @org.checkerframework.checker.nullness.qual.Nullable Long eventTimeMillis;
    public final long failedAtMillis;

    @SchemaCreate
    public DeadLetterTwin(String stage, String reason, String origin, byte[] payload, Long eventTimeMillis,
        long failedAtMillis) {
      this.stage = stage;
      this.reason = reason;
      this.origin = origin;
      this.payload = payload;
      this.eventTimeMillis = eventTimeMillis;
      this.failedAtMillis = failedAtMillis;
    }

    DeadLetterTwin(DeadLetter d) {
      this(d.stage(), d.reason(), d.origin(), d.payload(), d.eventTimeMillis(), d.failedAtMillis());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof DeadLetterTwin t && origin.equals(t.origin) && failedAtMillis == t.failedAtMillis
          && Objects.equals(eventTimeMillis, t.eventTimeMillis) && Arrays.equals(payload, t.payload);
    }

    @Override
    public int hashCode() {
      return origin.hashCode();
    }
  }

  @DefaultSchema(JavaFieldSchema.class)
  public static final class ListenTwin {
    public final String listenId;
    public final String userId;
    public final String itemId;
    public final String sessionId;
    public final long tsMillis;
    public final float[] features;

    @SchemaCreate
    public ListenTwin(String listenId, String userId, String itemId, String sessionId, long tsMillis,
        float[] features) {
      this.listenId = listenId;
      this.userId = userId;
      this.itemId = itemId;
      this.sessionId = sessionId;
      this.tsMillis = tsMillis;
      this.features = features;
    }

    ListenTwin(Listen l) {
      this(l.listenId, l.userId, l.itemId, l.sessionId, l.tsMillis, l.features);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ListenTwin t && listenId.equals(t.listenId) && tsMillis == t.tsMillis
          && Arrays.equals(features, t.features);
    }

    @Override
    public int hashCode() {
      return listenId.hashCode();
    }
  }

  @DefaultSchema(JavaFieldSchema.class)
  public static final class SpeedStatsTwin {
    public long points;
    public long speedPoints;
    public long speedSumMilli;
    public double speedMax;
    public long filled;
    public long outside;
    public long lastTs;
    public @org.checkerframework.checker.nullness.qual.Nullable String lastZone;
    public int lastLimit;
    public double lastLat;
    public double lastLon;

    public SpeedStatsTwin() {}

    SpeedStatsTwin(SpeedStats s) {
      points = s.points;
      speedPoints = s.speedPoints;
      speedSumMilli = s.speedSumMilli;
      speedMax = s.speedMax;
      filled = s.filled;
      outside = s.outside;
      lastTs = s.lastTs;
      lastZone = s.lastZone;
      lastLimit = s.lastLimit;
      lastLat = s.lastLat;
      lastLon = s.lastLon;
    }
  }

  @DefaultSchema(JavaFieldSchema.class)
  public static final class SampleTwin {
    public final String sessionId;
    public final double[] features;

    @SchemaCreate
    public SampleTwin(String sessionId, double[] features) {
      this.sessionId = sessionId;
      this.features = features;
    }

    SampleTwin(KMeansTrainer.Sample s) {
      this(s.sessionId, s.features);
    }
  }
}
