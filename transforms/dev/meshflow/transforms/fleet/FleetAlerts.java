package dev.meshflow.transforms.fleet;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import dev.meshflow.transforms.timestamps.TimestampSkew;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Time-series analysis of vehicle positions, one transform for batch and streaming.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Parse and validate each report; bad ones are dead letters (stage parse).
 *   <li>Look up the zone of each point in the zones side input (refreshable while running).
 *   <li>Per vehicle, in event-time order ({@link OrderedPerKey} with {@link VehicleTrack}): drop
 *       duplicates, fill missing speeds, mark geofence exits. Reports too late to be put in order
 *       are dead letters (stage late).
 *   <li>Minute statistics per vehicle (fixed one-minute windows).
 *   <li>Sliding-window average speed per vehicle, then SPEEDING episodes in order
 *       ({@link SpeedingEpisodes}), one alert each; GEOFENCE_EXIT alerts from the marked exits.
 * </ol>
 *
 * <p>Only {@link #batch} and {@link #streaming} differ: how often the ordered steps flush.
 */
public final class FleetAlerts extends PTransform<PCollection<KV<String, byte[]>>, PCollectionTuple> {
  public static final TupleTag<Row> MINUTE_STATS = new TupleTag<>() {};
  public static final TupleTag<Row> ALERTS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};
  private static final TupleTag<VehiclePosition> POSITIONS = new TupleTag<>() {};

  private final PCollectionView<Zones> zones;
  private final Duration speedWindow;
  private final Duration speedPeriod;
  /** Zero: flush once at the end (batch). */
  private final Duration flushEvery;

  private FleetAlerts(PCollectionView<Zones> zones, Duration speedWindow, Duration speedPeriod, Duration flushEvery) {
    if (!speedWindow.isLongerThan(Duration.ZERO) || !speedPeriod.isLongerThan(Duration.ZERO)
        || speedPeriod.isLongerThan(speedWindow)) {
      throw new IllegalArgumentException("the speed window (" + speedWindow + ") and its period ("
          + speedPeriod + ") must be positive, with the period at most the window");
    }
    this.zones = zones;
    this.speedWindow = speedWindow;
    this.speedPeriod = speedPeriod;
    this.flushEvery = flushEvery;
  }

  public static FleetAlerts batch(PCollectionView<Zones> zones, Duration speedWindow, Duration speedPeriod) {
    return new FleetAlerts(zones, speedWindow, speedPeriod, Duration.ZERO);
  }

  /** @param flushEvery how often each vehicle's waiting reports are put in order and stepped */
  public static FleetAlerts streaming(PCollectionView<Zones> zones, Duration speedWindow,
      Duration speedPeriod, Duration flushEvery) {
    return new FleetAlerts(zones, speedWindow, speedPeriod, flushEvery);
  }

  private <V, S extends java.io.Serializable, O> OrderedPerKey<V, S, O> ordered(
      OrderedPerKey.Step<V, S, O> step, org.apache.beam.sdk.coders.Coder<O> coder) {
    return flushEvery.getMillis() == 0 ? OrderedPerKey.atEnd(step, coder) : OrderedPerKey.every(flushEvery, step, coder);
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, byte[]>> records) {
    PCollectionTuple parsed = records.apply("ParseAndValidate",
        ParDo.of(new ParseFn()).withOutputTags(POSITIONS, TupleTagList.of(DEAD_LETTERS)));
    parsed.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());

    PCollection<KV<String, VehiclePosition>> located = parsed.get(POSITIONS).setCoder(VehiclePositionCoder.of())
        .apply("LocateZone", ParDo.of(new LocateFn(zones)).withSideInputs(zones))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VehiclePositionCoder.of()));

    OrderedPerKey<VehiclePosition, VehicleTrack.State, VehiclePosition> track =
        ordered(new VehicleTrack(), VehiclePositionCoder.of());
    PCollectionTuple tracked = located.apply("TrackInOrder", track);
    PCollection<VehiclePosition> positions = tracked.get(track.output());
    PCollection<DeadLetter> tooLate = tracked.get(track.tooLate())
        .apply("TooLateToDeadLetters", ParDo.of(new TooLateFn()))
        .setCoder(DeadLetterCoder.of());

    PCollection<Row> exits = positions.apply("GeofenceExits", ParDo.of(new ExitFn()))
        .setCoder(SchemaCoder.of(Alerts.SCHEMA));

    PCollection<Row> minuteStats = positions
        .apply("MinuteWindows", Window.into(FixedWindows.of(Duration.standardMinutes(1))))
        .apply("KeyByVehicleForMinutes", ParDo.of(new KeyFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VehiclePositionCoder.of()))
        .apply("MinuteStats", Combine.perKey(new SpeedStats.Fn()))
        .apply("MinuteStatsToRows", ParDo.of(new MinuteRowFn()))
        .setCoder(SchemaCoder.of(VehicleMinuteStats.SCHEMA));

    OrderedPerKey<WindowSpeed, SpeedingEpisodes.State, Row> episodes =
        ordered(new SpeedingEpisodes(speedPeriod.getMillis()), SchemaCoder.of(Alerts.SCHEMA));
    PCollection<Row> speeding = positions
        .apply("SpeedWindows", Window.into(SlidingWindows.of(speedWindow).every(speedPeriod)))
        .apply("KeyByVehicleForSpeed", ParDo.of(new KeyFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VehiclePositionCoder.of()))
        .apply("WindowAverages", Combine.perKey(new SpeedStats.Fn()))
        .apply("ToWindowSpeeds", ParDo.of(new WindowSpeedFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), WindowSpeedCoder.of()))
        .apply("SpeedingEpisodes", episodes)
        .get(episodes.output());

    PCollection<Row> alerts = PCollectionList.of(exits).and(speeding)
        .apply("AllAlerts", Flatten.pCollections());
    PCollection<DeadLetter> deadLetters = PCollectionList.of(parsed.get(DEAD_LETTERS)).and(tooLate)
        .apply("AllDeadLetters", Flatten.pCollections());
    return PCollectionTuple.of(MINUTE_STATS, minuteStats).and(ALERTS, alerts).and(DEAD_LETTERS, deadLetters);
  }

  private static final class ParseFn extends DoFn<KV<String, byte[]>, VehiclePosition> {
    private final RunMetrics.StageCounter read = RunMetrics.counter(RunMetrics.READ);
    private final RunMetrics.StageCounter dead = RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.PARSE);

    @ProcessElement
    public void process(@Element KV<String, byte[]> record, MultiOutputReceiver out) {
      read.inc();
      PositionParser.Result r = PositionParser.parse(record.getKey(), record.getValue());
      if (r.position != null) {
        out.get(POSITIONS).outputWithTimestamp(r.position, new Instant(r.position.tsMillis));
      } else {
        dead.inc();
        out.get(DEAD_LETTERS).output(new DeadLetter(Stages.PARSE, r.error, record.getKey(),
            record.getValue(), null, System.currentTimeMillis()));
      }
    }

    // Event time comes from the payload; whether it is too late is decided by the ordered step.
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return TimestampSkew.UNLIMITED;
    }
  }

  private static final class LocateFn extends DoFn<VehiclePosition, KV<String, VehiclePosition>> {
    private final PCollectionView<Zones> zones;

    LocateFn(PCollectionView<Zones> zones) {
      this.zones = zones;
    }

    @ProcessElement
    public void process(@Element VehiclePosition p, ProcessContext c) {
      Zones.Zone z = c.sideInput(zones).at(p.lat, p.lon);
      c.output(KV.of(p.vehicleId, z == null ? p : p.inZone(z.id, z.limitKmh)));
    }
  }

  private static final class TooLateFn extends DoFn<VehiclePosition, DeadLetter> {
    private final RunMetrics.StageCounter dead = RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.LATE);

    @ProcessElement
    public void process(@Element VehiclePosition p, OutputReceiver<DeadLetter> out) {
      dead.inc();
      out.output(new DeadLetter(Stages.LATE, "arrived after its vehicle's reports up to a later time"
          + " were put in order and processed", p.origin, p.payload, p.tsMillis, System.currentTimeMillis()));
    }
  }

  private static final class ExitFn extends DoFn<VehiclePosition, Row> {
    @ProcessElement
    public void process(@Element VehiclePosition p, OutputReceiver<Row> out) {
      Row alert = Alerts.geofenceExit(p);
      if (alert != null) {
        out.output(alert);
      }
    }
  }

  private static final class KeyFn extends DoFn<VehiclePosition, KV<String, VehiclePosition>> {
    @ProcessElement
    public void process(@Element VehiclePosition p, OutputReceiver<KV<String, VehiclePosition>> out) {
      out.output(KV.of(p.vehicleId, p));
    }
  }

  private static final class MinuteRowFn extends DoFn<KV<String, SpeedStats>, Row> {
    @ProcessElement
    public void process(@Element KV<String, SpeedStats> e, BoundedWindow w, OutputReceiver<Row> out) {
      out.output(VehicleMinuteStats.toRow(e.getKey(), ((IntervalWindow) w).start().getMillis(), e.getValue()));
    }
  }

  private static final class WindowSpeedFn extends DoFn<KV<String, SpeedStats>, KV<String, WindowSpeed>> {
    @ProcessElement
    public void process(@Element KV<String, SpeedStats> e, BoundedWindow w,
        OutputReceiver<KV<String, WindowSpeed>> out) {
      SpeedStats s = e.getValue();
      if (s.average() == null) {
        return; // no known speed in the window: nothing to hold to a limit
      }
      IntervalWindow iw = (IntervalWindow) w;
      out.output(KV.of(e.getKey(), new WindowSpeed(e.getKey(), iw.start().getMillis(), iw.end().getMillis(),
          s.average(), s.speedPoints, s.lastZone, s.lastLimit, s.lastLat, s.lastLon)));
    }
  }
}
