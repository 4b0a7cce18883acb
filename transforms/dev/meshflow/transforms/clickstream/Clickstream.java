package dev.meshflow.transforms.clickstream;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.transforms.ingest.IngestEtl;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import dev.meshflow.transforms.timestamps.TimestampSkew;
import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
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
 * Clickstream analytics, one transform for a backfill over history and for the live stream.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Parse and validate each event, truncating or hashing the IP and scrubbing e-mail addresses
 *       and phone numbers from free text; bad lines are dead letters (stage parse). Events outside
 *       the backfill's date range are counted as filtered.
 *   <li>Enrich from the product catalog (side input): category, and the list price where the event
 *       has none.
 *   <li>Stitch identities ({@link IdentityGraph}, in event-time order): events with a user link
 *       their cookie and device to it; changes go to {@code identity_map}.
 *   <li>Per cookie, in event-time order ({@link PersonTrack}): drop duplicate event ids and give
 *       each event its person. Events too late to be put in order are dead letters (stage late).
 *   <li>The events, with their person, into {@code click_events}.
 *   <li>Session windows per cookie into {@code sessions}, with the rule-based bot verdict.
 *   <li>The statistical bot test: per window of session starts, a session whose rate is above the
 *       mean plus N standard deviations of all sessions there (a side input) is a bot.
 *   <li>Human sessions per hour and country into {@code traffic_by_country_hour}, withholding
 *       groups of fewer than k people.
 * </ol>
 *
 * <p>Batch and streaming differ only in how often the ordered steps flush ({@link Settings#flushEvery}).
 */
public final class Clickstream extends PTransform<PCollection<KV<String, byte[]>>, PCollectionTuple> {
  public static final TupleTag<Row> EVENTS_OUT = new TupleTag<>() {};
  public static final TupleTag<Row> SESSIONS = new TupleTag<>() {};
  public static final TupleTag<Row> IDENTITIES = new TupleTag<>() {};
  public static final TupleTag<Row> TRAFFIC = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};
  /** Link events the identity graph could no longer put in order (their events still count). */
  public static final String LINKS_TOO_LATE = "links_too_late";
  private static final TupleTag<ClickEvent> EVENTS = new TupleTag<>() {};

  /** Everything the transform is tuned by. */
  public static final class Settings implements Serializable {
    public ClickPrivacy privacy = ClickPrivacy.truncating();
    public Duration sessionGap = Duration.standardMinutes(30);
    public Duration identityTtl = Duration.standardDays(30);
    public double botMaxRatePerMinute = 30;
    public double botSigmas = 2;
    public Duration botStatsWindow = Duration.standardHours(1);
    public int anonymityK = 5;
    /** Inclusive start and exclusive end of event times kept; null: open. */
    public Long fromMillis;
    public Long toMillis;
    /** Zero: flush the ordered steps once at the end (batch). */
    public Duration flushEvery = Duration.ZERO;

    public void validate() {
      if (!sessionGap.isLongerThan(Duration.ZERO) || !identityTtl.isLongerThan(Duration.ZERO)
          || !botStatsWindow.isLongerThan(Duration.ZERO)) {
        throw new IllegalArgumentException("the session gap, identity ttl and bot stats window must be positive");
      }
      if (botMaxRatePerMinute <= 0 || botSigmas <= 0 || anonymityK < 1) {
        throw new IllegalArgumentException("the bot rate limit and sigmas must be positive, k at least 1");
      }
      if (fromMillis != null && toMillis != null && fromMillis >= toMillis) {
        throw new IllegalArgumentException("the date range is empty: from must be before to");
      }
    }
  }

  private final Settings settings;
  private final PCollectionView<Products> products;

  public Clickstream(Settings settings, PCollectionView<Products> products) {
    settings.validate();
    this.settings = settings;
    this.products = products;
  }

  private <S extends Serializable, O> OrderedPerKey<ClickEvent, S, O> ordered(
      OrderedPerKey.Step<ClickEvent, S, O> step, Coder<O> coder) {
    return settings.flushEvery.getMillis() == 0 ? OrderedPerKey.atEnd(step, coder)
        : OrderedPerKey.every(settings.flushEvery, step, coder);
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, byte[]>> records) {
    PCollectionTuple parsed = records.apply("ParseAndProtect",
        ParDo.of(new ParseFn(settings)).withOutputTags(EVENTS, TupleTagList.of(DEAD_LETTERS)));
    parsed.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    PCollection<ClickEvent> events = parsed.get(EVENTS).setCoder(ClickEventCoder.of())
        .apply("EnrichFromCatalog", ParDo.of(new EnrichFn(products)).withSideInputs(products))
        .setCoder(ClickEventCoder.of());

    OrderedPerKey<ClickEvent, IdentityGraph.State, Row> graph =
        ordered(new IdentityGraph(settings.identityTtl.getMillis()), SchemaCoder.of(IdentityMap.SCHEMA));
    PCollectionTuple stitched = events
        .apply("LinkEvents", ParDo.of(new LinkFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ClickEventCoder.of()))
        .apply("StitchIdentities", graph);
    PCollection<Row> identities = stitched.get(graph.output());
    stitched.get(graph.tooLate()).apply("CountLateLinks", ParDo.of(new CountFn<>(LINKS_TOO_LATE)));

    PCollection<KV<String, ClickEvent>> cookieUpdates = identities
        .apply("CookieUpdates", ParDo.of(new CookieUpdateFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ClickEventCoder.of()));
    PCollection<KV<String, ClickEvent>> byCookie = events
        .apply("KeyByCookie", ParDo.of(new KeyByCookieFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ClickEventCoder.of()));
    OrderedPerKey<ClickEvent, PersonTrack.State, ClickEvent> track =
        ordered(new PersonTrack(settings.identityTtl.getMillis()), ClickEventCoder.of())
            .expiringAfterIdle(settings.identityTtl);
    PCollectionTuple tracked = PCollectionList.of(byCookie).and(cookieUpdates)
        .apply("EventsAndUpdates", Flatten.pCollections())
        .apply("PersonPerCookie", track);
    PCollection<DeadLetter> tooLate = tracked.get(track.tooLate())
        .apply("TooLateToDeadLetters", ParDo.of(new TooLateFn()))
        .setCoder(DeadLetterCoder.of());

    PCollection<ClickEvent> withPerson = tracked.get(track.output());
    PCollection<Row> eventRows = withPerson
        .apply("EventRows", ParDo.of(new EventRowFn()))
        .setCoder(SchemaCoder.of(ClickEventsTable.SCHEMA));
    PCollection<Row> ruledSessions = withPerson
        .apply("KeyByCookieForSessions", ParDo.of(new KeyByCookieFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ClickEventCoder.of()))
        .apply("SessionWindows", Window.<KV<String, ClickEvent>>into(Sessions.withGapDuration(settings.sessionGap))
            .withTimestampCombiner(TimestampCombiner.EARLIEST))
        .apply("SessionStats", Combine.perKey(new SessionStats.Fn()))
        .apply("SessionsWithRules", ParDo.of(new SessionRowFn(settings.botMaxRatePerMinute)))
        .setCoder(SchemaCoder.of(SessionsTable.SCHEMA))
        .apply("BotStatsWindows", Window.into(FixedWindows.of(settings.botStatsWindow)));
    PCollectionView<Double> threshold = ruledSessions
        .apply("SessionRates", ParDo.of(new RateFn()))
        .setCoder(VarLongCoder.of())
        .apply("RateThreshold", Combine.globally(new RateOutliers.ThresholdFn(settings.botSigmas))
            .asSingletonView());
    PCollection<Row> sessions = ruledSessions
        .apply("FlagRateOutliers", ParDo.of(new OutlierFn(threshold)).withSideInputs(threshold))
        .setCoder(SchemaCoder.of(SessionsTable.SCHEMA));

    PCollection<Row> traffic = sessions
        .apply("HumanSessionsByCountry", ParDo.of(new HumanByCountryFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(SessionsTable.SCHEMA)))
        .apply("HourWindows", Window.into(FixedWindows.of(Duration.standardHours(1))))
        .apply("TrafficStats", Combine.perKey(new TrafficStats.Fn()))
        .apply("TrafficRowsWithK", ParDo.of(new TrafficRowFn(settings.anonymityK)))
        .setCoder(SchemaCoder.of(TrafficStats.SCHEMA));

    PCollection<DeadLetter> deadLetters = PCollectionList.of(parsed.get(DEAD_LETTERS)).and(tooLate)
        .apply("AllDeadLetters", Flatten.pCollections());
    return PCollectionTuple.of(EVENTS_OUT, eventRows).and(SESSIONS, sessions).and(IDENTITIES, identities)
        .and(TRAFFIC, traffic).and(DEAD_LETTERS, deadLetters);
  }

  private static final class ParseFn extends DoFn<KV<String, byte[]>, ClickEvent> {
    private final RunMetrics.StageCounter read = RunMetrics.counter(RunMetrics.READ);
    private final RunMetrics.StageCounter dead = RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.PARSE);
    private final RunMetrics.StageCounter filtered = RunMetrics.counter(IngestEtl.FILTERED);
    private final Settings settings;

    ParseFn(Settings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element KV<String, byte[]> record, MultiOutputReceiver out) {
      read.inc();
      ClickParser.Result r = ClickParser.parse(record.getKey(), record.getValue(), settings.privacy);
      if (r.event == null) {
        dead.inc();
        out.get(DEAD_LETTERS).output(new DeadLetter(Stages.PARSE, r.error, record.getKey(),
            record.getValue(), null, System.currentTimeMillis()));
      } else if ((settings.fromMillis != null && r.event.tsMillis < settings.fromMillis)
          || (settings.toMillis != null && r.event.tsMillis >= settings.toMillis)) {
        filtered.inc(); // outside the backfill's date range, on purpose
      } else {
        out.get(EVENTS).outputWithTimestamp(r.event, new Instant(r.event.tsMillis));
      }
    }

    // Event time comes from the payload; whether it is too late is decided by the ordered steps.
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return TimestampSkew.UNLIMITED;
    }
  }

  private static final class EnrichFn extends DoFn<ClickEvent, ClickEvent> {
    private final PCollectionView<Products> products;

    EnrichFn(PCollectionView<Products> products) {
      this.products = products;
    }

    @ProcessElement
    public void process(@Element ClickEvent e, ProcessContext c) {
      c.output(e.productId == null ? e : c.sideInput(products).enrich(e));
    }
  }

  private static final class LinkFn extends DoFn<ClickEvent, KV<String, ClickEvent>> {
    @ProcessElement
    public void process(@Element ClickEvent e, OutputReceiver<KV<String, ClickEvent>> out) {
      if (e.userId != null) {
        out.output(KV.of(IdentityGraph.KEY, e.ofPerson(null)));
      }
    }
  }

  private static final class CookieUpdateFn extends DoFn<Row, KV<String, ClickEvent>> {
    @ProcessElement
    public void process(@Element Row r, @Timestamp Instant ts, OutputReceiver<KV<String, ClickEvent>> out) {
      if ("cookie".equals(r.getString("identity_type"))) {
        String cookie = r.getString("identity").substring("cookie:".length());
        out.output(KV.of(cookie, ClickEvent.personUpdate(cookie, r.getString("person_id"), ts.getMillis())));
      }
    }
  }

  private static final class KeyByCookieFn extends DoFn<ClickEvent, KV<String, ClickEvent>> {
    @ProcessElement
    public void process(@Element ClickEvent e, OutputReceiver<KV<String, ClickEvent>> out) {
      out.output(KV.of(e.cookieId, e));
    }
  }

  private static final class CountFn<T> extends DoFn<T, Void> {
    private final RunMetrics.StageCounter counter;

    CountFn(String name) {
      this.counter = RunMetrics.counter(name);
    }

    @ProcessElement
    public void process() {
      counter.inc();
    }
  }

  private static final class TooLateFn extends DoFn<ClickEvent, DeadLetter> {
    private final RunMetrics.StageCounter dead = RunMetrics.counter(RunMetrics.DEAD_LETTERS + "." + Stages.LATE);
    private final RunMetrics.StageCounter lateUpdates = RunMetrics.counter("identity_updates_too_late");

    @ProcessElement
    public void process(@Element ClickEvent e, OutputReceiver<DeadLetter> out) {
      if (e.isPersonUpdate()) {
        lateUpdates.inc(); // cannot happen while the graph holds the watermark; counted if it does
        return;
      }
      dead.inc();
      out.output(new DeadLetter(Stages.LATE, "arrived after its cookie's events up to a later time"
          + " were put in order and sessionized", e.origin, e.payload, e.tsMillis, System.currentTimeMillis()));
    }
  }

  private static final class EventRowFn extends DoFn<ClickEvent, Row> {
    @ProcessElement
    public void process(@Element ClickEvent e, OutputReceiver<Row> out) {
      out.output(ClickEventsTable.toRow(e));
    }
  }

  private static final class SessionRowFn extends DoFn<KV<String, SessionStats>, Row> {
    private final double maxRate;
    /** Moves while sessions close, a long step that counted nothing before (a late pane counts again). */
    private final RunMetrics.StageCounter sessions = RunMetrics.counter("session_rows");

    SessionRowFn(double maxRate) {
      this.maxRate = maxRate;
    }

    @ProcessElement
    public void process(@Element KV<String, SessionStats> s, OutputReceiver<Row> out) {
      sessions.inc();
      out.output(SessionsTable.toRow(s.getKey(), s.getValue(), maxRate));
    }
  }

  private static final class RateFn extends DoFn<Row, Long> {
    @ProcessElement
    public void process(@Element Row session, OutputReceiver<Long> out) {
      out.output(SessionsTable.rateCenti(session));
    }
  }

  private static final class OutlierFn extends DoFn<Row, Row> {
    private final PCollectionView<Double> threshold;

    OutlierFn(PCollectionView<Double> threshold) {
      this.threshold = threshold;
    }

    @ProcessElement
    public void process(@Element Row session, ProcessContext c) {
      boolean outlier = SessionsTable.rateCenti(session) > c.sideInput(threshold);
      c.output(outlier ? SessionsTable.asOutlier(session) : session);
    }
  }

  private static final class HumanByCountryFn extends DoFn<Row, KV<String, Row>> {
    @ProcessElement
    public void process(@Element Row session, OutputReceiver<KV<String, Row>> out) {
      if (!session.getBoolean("is_bot")) {
        out.output(KV.of(session.getString("country"), session));
      }
    }
  }

  private static final class TrafficRowFn extends DoFn<KV<String, TrafficStats>, Row> {
    private final RunMetrics.StageCounter suppressed = RunMetrics.counter(TrafficStats.SUPPRESSED);
    private final int k;

    TrafficRowFn(int k) {
      this.k = k;
    }

    @ProcessElement
    public void process(@Element KV<String, TrafficStats> e, BoundedWindow w, OutputReceiver<Row> out) {
      Row row = e.getValue().toRow(((IntervalWindow) w).start().getMillis(), e.getKey(), k);
      if (row == null) {
        suppressed.inc();
      } else {
        out.output(row);
      }
    }
  }
}
