package dev.meshflow.io.generator;

import dev.meshflow.io.DatasetName;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.stream.StoppingRead;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * {@code generator:interactions?events=N&seed=S&rate=R&...}: the seeded Interactions producer,
 * {@code generator:vehicles?vehicles=V&events=N&...}: the fleet's position reports, and
 * {@code generator:clicks?events=N&persons=P&...}: the shop's clickstream.
 *
 * <p>Bounded when {@code events} is given and the run is in batch mode. In streaming mode it emits
 * {@code rate} records per second, forever unless {@code events} caps it, with event times that
 * follow the wall clock from the moment the run starts (unless {@code start} pins them).
 */
public final class GeneratorSource implements RecordSource {
  public static final String SCHEME = "generator";
  public static final Set<String> PARAMS =
      Set.of(
          "events", "seed", "rate", "start", "eventsPerSecond", "items", "users", "duplicates",
          "outOfOrder", "late", "malformed", "maxDisorderSeconds", "lateByMinutes", "taste",
          "driftAfterMinutes", "mesh", "catalog", "db", "recs");
  public static final Set<String> VEHICLE_PARAMS =
      Set.of("events", "seed", "rate", "start", "vehicles", "zones", "reportSeconds", "missingSpeed",
          "duplicates", "malformed", "speedingPerSlot", "exitPerSlot");
  public static final Set<String> CLICK_PARAMS =
      Set.of("events", "seed", "rate", "start", "persons", "products", "visitEvents", "visitSeconds",
          "registered", "login", "bots", "anomalies", "duplicates", "malformed", "late", "lateByMinutes",
          "missingPrice", "pii");

  private final RecordGenerator generator;
  private final Long events;
  private final long rate;
  private final boolean unbounded;

  private GeneratorSource(RecordGenerator generator, Long events, long rate, boolean unbounded) {
    this.generator = generator;
    this.events = events;
    this.rate = rate;
    this.unbounded = unbounded;
  }

  public static GeneratorSource from(EndpointUri uri, boolean streaming) {
    switch (uri.body()) {
      case "interactions":
        return interactions(uri, streaming);
      case "vehicles":
        return vehicles(uri, streaming);
      case "clicks":
        return clicks(uri, streaming);
      default:
        throw new IllegalArgumentException(
            uri + ": unknown generator '" + uri.body() + "'; accepted: interactions, vehicles, clicks");
    }
  }

  private static Long events(EndpointUri uri, boolean streaming) {
    Long events = uri.params().containsKey("events")
        ? uri.longParam("events", 0, 1, Long.MAX_VALUE / 2) : null;
    if (events == null && !streaming) {
      throw new IllegalArgumentException(
          uri + ": an endless generator needs --streaming; add events=N for a batch run");
    }
    return events;
  }

  /**
   * The first event time: {@code start} when given; otherwise now for a live run (so windows close
   * as a dashboard expects), or the spec's fixed default, so a batch run is reproducible.
   */
  private static long startMillis(EndpointUri uri, boolean live, long fixedDefault) {
    String start = uri.params().get("start");
    if (start == null) {
      return live ? System.currentTimeMillis() : fixedDefault;
    }
    try {
      return Instant.parse(start).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          uri + ": start=" + start + " is not an ISO-8601 instant like 2026-03-07T23:00:00Z");
    }
  }

  private static GeneratorSource vehicles(EndpointUri uri, boolean streaming) {
    uri.requireOnly(VEHICLE_PARAMS);
    Long events = events(uri, streaming);
    VehicleGenerator.Spec spec = new VehicleGenerator.Spec();
    spec.seed = uri.longParam("seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
    spec.vehicles = (int) uri.longParam("vehicles", spec.vehicles, 1, 10_000_000);
    spec.zones = (int) uri.longParam("zones", spec.zones, 1, 10_000);
    spec.reportSeconds = (int) uri.longParam("reportSeconds", spec.reportSeconds, 1, 3600);
    spec.missingSpeed = uri.fractionParam("missingSpeed", spec.missingSpeed);
    spec.duplicates = uri.fractionParam("duplicates", spec.duplicates);
    spec.malformed = uri.fractionParam("malformed", spec.malformed);
    spec.speedingPerSlot = uri.fractionParam("speedingPerSlot", spec.speedingPerSlot);
    spec.exitPerSlot = uri.fractionParam("exitPerSlot", spec.exitPerSlot);
    if (spec.duplicates + spec.malformed > 1.0) {
      throw new IllegalArgumentException(uri + ": duplicates+malformed must be at most 1");
    }
    spec.startMillis = startMillis(uri, streaming, spec.startMillis);
    // A live run reports at the fleet's own pace unless rate says otherwise.
    long rate = uri.longParam("rate", Math.max(1, spec.vehicles / spec.reportSeconds), 1, 10_000_000);
    return new GeneratorSource(new VehicleGenerator(spec), events, rate, streaming);
  }

  private static GeneratorSource clicks(EndpointUri uri, boolean streaming) {
    uri.requireOnly(CLICK_PARAMS);
    Long events = events(uri, streaming);
    ClickGenerator.Spec spec = new ClickGenerator.Spec();
    spec.seed = uri.longParam("seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
    spec.persons = (int) uri.longParam("persons", spec.persons, 1, 100_000_000);
    spec.products = (int) uri.longParam("products", spec.products, 1, 1_000_000);
    spec.visitEvents = (int) uri.longParam("visitEvents", spec.visitEvents, 1, 1000);
    spec.visitSeconds = (int) uri.longParam("visitSeconds", spec.visitSeconds, 1, 86_400);
    spec.registered = uri.fractionParam("registered", spec.registered);
    spec.login = uri.fractionParam("login", spec.login);
    spec.bots = uri.fractionParam("bots", spec.bots);
    spec.anomalies = uri.fractionParam("anomalies", spec.anomalies);
    if (spec.bots + spec.anomalies > 1.0) {
      throw new IllegalArgumentException(uri + ": bots+anomalies must be at most 1");
    }
    spec.duplicates = uri.fractionParam("duplicates", spec.duplicates);
    spec.malformed = uri.fractionParam("malformed", spec.malformed);
    spec.late = uri.fractionParam("late", spec.late);
    spec.lateByMinutes = (int) uri.longParam("lateByMinutes", spec.lateByMinutes, 1, 100_000);
    spec.missingPrice = uri.fractionParam("missingPrice", spec.missingPrice);
    spec.pii = uri.fractionParam("pii", spec.pii);
    if (spec.duplicates + spec.malformed > 1.0) {
      throw new IllegalArgumentException(uri + ": duplicates+malformed must be at most 1");
    }
    spec.startMillis = startMillis(uri, streaming, spec.startMillis);
    // A live run emits at the shop's own pace unless rate says otherwise.
    long rate = uri.longParam("rate", Math.max(1, spec.visitEvents / spec.visitSeconds), 1, 10_000_000);
    return new GeneratorSource(new ClickGenerator(spec), events, rate, streaming);
  }

  private static GeneratorSource interactions(EndpointUri uri, boolean streaming) {
    uri.requireOnly(PARAMS);
    Long events = events(uri, streaming);
    long rate = uri.longParam("rate", 1000, 1, 10_000_000);
    boolean unbounded = streaming;
    InteractionGenerator.Spec spec = new InteractionGenerator.Spec();
    spec.seed = uri.longParam("seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
    spec.items = (int) uri.longParam("items", spec.items, 1, 10_000_000);
    spec.users = (int) uri.longParam("users", spec.users, 1, 100_000_000);
    spec.duplicates = uri.fractionParam("duplicates", spec.duplicates);
    spec.outOfOrder = uri.fractionParam("outOfOrder", spec.outOfOrder);
    spec.late = uri.fractionParam("late", spec.late);
    spec.malformed = uri.fractionParam("malformed", spec.malformed);
    if (spec.duplicates + spec.malformed > 1.0 || spec.late + spec.outOfOrder > 1.0) {
      throw new IllegalArgumentException(
          uri + ": duplicates+malformed and late+outOfOrder must each be at most 1");
    }
    spec.maxDisorderMillis = 1000 * uri.longParam("maxDisorderSeconds", 30, 0, 86_400);
    spec.lateByMillis = 60_000 * uri.longParam("lateByMinutes", 15, 1, 100_000);
    spec.taste = uri.longParam("taste", 0, 0, 1) == 1;
    spec.recs = uri.longParam("recs", 0, 0, 1) == 1;
    if (spec.recs && !spec.taste) {
      throw new IllegalArgumentException(uri + ": recs=1 needs taste=1 (plays with their outcomes)");
    }
    // Live runs keep event time near the wall clock, so windows close as a dashboard expects.
    spec.eventsPerSecond = uri.longParam("eventsPerSecond", unbounded ? rate : 100, 1, 10_000_000);
    spec.startMillis = startMillis(uri, unbounded, spec.startMillis);
    long driftMinutes = uri.longParam("driftAfterMinutes", -1, -1, 10_000_000);
    if (driftMinutes >= 0 && !spec.taste) {
      throw new IllegalArgumentException(uri + ": driftAfterMinutes needs taste=1 (a signal to drift)");
    }
    spec.driftAtMillis = driftMinutes < 0 ? Long.MAX_VALUE : spec.startMillis + driftMinutes * 60_000;
    if (uri.longParam("mesh", 0, 0, 1) == 1) {
      if (spec.recs) {
        throw new IllegalArgumentException(uri + ": recs=1 draws users and items from ids; leave out mesh=1");
      }
      if (!spec.taste) {
        throw new IllegalArgumentException(uri + ": mesh=1 needs taste=1 (listens that follow the products'"
            + " tiers and genres)");
      }
      spec.world = ProductWorld.read(uri.params().getOrDefault("catalog", "catalog"), uri.params().get("db"));
    } else if (uri.params().containsKey("catalog") || uri.params().containsKey("db")) {
      throw new IllegalArgumentException(uri + ": catalog= and db= are for mesh=1");
    }
    return new GeneratorSource(new InteractionGenerator(spec), events, rate, unbounded);
  }

  /** How many records a bounded generator emits. */
  public long events() {
    if (events == null) {
      throw new IllegalArgumentException("the generator URI needs events=N here");
    }
    return events;
  }

  public RecordGenerator generator() {
    return generator;
  }

  @Override
  public java.util.Optional<String> referenceData(String name) {
    if (name.equals(ZONES) && generator instanceof VehicleGenerator) {
      return java.util.Optional.of(((VehicleGenerator) generator).world().geoJson());
    }
    if (name.equals(PRODUCTS) && generator instanceof ClickGenerator) {
      return java.util.Optional.of(((ClickGenerator) generator).productsJsonLines());
    }
    return java.util.Optional.empty();
  }

  @Override
  public boolean isBounded() {
    return !unbounded || events != null;
  }

  /** Generated records as one dataset per generator kind and seed, so that lineage has a source. */
  @Override
  public List<DatasetName> datasets() {
    return List.of(new DatasetName("generator", describeGenerator()
        .replace(" generator, seed ", "?seed=")));
  }

  @Override
  public String describe() {
    return describeGenerator()
        + (events == null ? ", endless" : ", " + events + " records")
        + (unbounded ? ", " + rate + " records/s" : "");
  }

  private String describeGenerator() {
    if (generator instanceof VehicleGenerator) {
      return "vehicle generator, seed " + ((VehicleGenerator) generator).spec().seed;
    }
    if (generator instanceof ClickGenerator) {
      return "clickstream generator, seed " + ((ClickGenerator) generator).spec().seed;
    }
    return "interaction generator, seed " + ((InteractionGenerator) generator).spec().seed;
  }

  @Override
  public PTransform<PBegin, PCollection<KV<String, byte[]>>> read(Duration stopAfter) {
    return new PTransform<>() {
      @Override
      public PCollection<KV<String, byte[]>> expand(PBegin begin) {
        GenerateSequence sequence = GenerateSequence.from(0);
        if (events != null) {
          sequence = sequence.to(events);
        }
        PTransform<PBegin, PCollection<Long>> indexes = unbounded || events == null ? sequence : new IndexRanges(events);
        if (unbounded) {
          // Event time doubles as the element timestamp, so the source's watermark follows it.
          RecordGenerator g = generator;
          sequence = sequence
              .withRate(rate, Duration.standardSeconds(1))
              .withTimestampFn(i -> new org.joda.time.Instant(g.emitTimeMillis(i)));
          indexes = sequence;
          if (stopAfter != null) {
            // With a count, GenerateSequence is already a bounded read of an unbounded source.
            indexes = events != null ? sequence.withMaxReadTime(stopAfter) : StoppingRead.after(
                stopAfter, sequence, sequence::withMaxReadTime, begin.getPipeline().getOptions());
          }
        }
        return begin
            .apply("GenerateIndexes", indexes)
            .apply("RenderRecords", ParDo.of(new RenderFn(generator)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()));
      }
    };
  }

  private static final class RenderFn extends DoFn<Long, KV<String, byte[]>> {
    private final RecordGenerator generator;

    RenderFn(RecordGenerator generator) {
      this.generator = generator;
    }

    @ProcessElement
    public void process(@Element Long index, OutputReceiver<KV<String, byte[]>> out) {
      out.output(KV.of(generator.originOf(index), generator.recordAt(index).payload));
    }
  }
}
