package dev.meshflow.pipelines;

import dev.meshflow.io.AfterRun;
import dev.meshflow.io.Endpoints;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.io.generator.GeneratorSource;
import dev.meshflow.options.ClickstreamOptions;
import dev.meshflow.options.Durations;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.transforms.clickstream.ClickEventsTable;
import dev.meshflow.transforms.clickstream.ClickPrivacy;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.IdentityMap;
import dev.meshflow.transforms.clickstream.Products;
import dev.meshflow.transforms.clickstream.SessionsTable;
import dev.meshflow.transforms.clickstream.TrafficStats;
import dev.meshflow.transforms.deadletter.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;

/**
 * Clickstream analytics: sessions with identity stitching and bot verdicts, the identity map, and
 * a k-anonymous traffic aggregate. In batch it is a backfill that recomputes the tables for a date
 * range over history files; with {@code --streaming} the same transform keeps them live.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read events from {@code --clicks}; read the product catalog into a side input.
 *   <li>Run {@link Clickstream}.
 *   <li>Upsert {@code click_events}, {@code sessions}, {@code identity_map} and {@code traffic_by_country_hour} into
 *       {@code --sink}; dead letters to its dead_letter table. Keys are deterministic (a session is
 *       its cookie and start), so rerunning a backfill replaces rows and never doubles them.
 * </ol>
 */
public final class ClickstreamBackfillPipeline {
  public static final String NAME = "clickstream-backfill";
  public static final String DESCRIPTION =
      "Clickstream: sessions, identity stitching, privacy, bot detection; a backfill or live";

  /** Every option this pipeline reads. */
  public interface Options
      extends ClickstreamOptions, SinkOptions, LauncherOptions, RunForOptions, StreamingOptions {}

  private ClickstreamBackfillPipeline() {}

  /** Checks options that depend on each other, with messages that say how to fix them. */
  public static void validate(Options options) {
    settings(options).validate();
    Durations.lifetime(options, options.isStreaming());
    if (options.getRunner().getSimpleName().equals("SparkRunner")) {
      throw new IllegalArgumentException("clickstream-backfill stitches identities and orders each"
          + " cookie's events with state and event-time timers, which the SparkRunner does not run;"
          + " use DirectRunner or FlinkRunner (batch and streaming)");
    }
    RecordSource source = Endpoints.source("clicks", options.getClicks(), options.isStreaming());
    if (options.getProducts().equals("generator") && generator(source) == null) {
      throw new IllegalArgumentException("--products=generator needs --clicks=generator:clicks...;"
          + " for other sources give --products=<JSON lines file>");
    }
    if (!options.getProducts().equals("generator")) {
      LocalReferenceFile.check("products", options.getProducts(), Products::parse);
    }
    Endpoints.sink(options.getSink());
  }

  /** The transform's settings from the options; throws on a malformed value. */
  static Clickstream.Settings settings(Options options) {
    Clickstream.Settings s = new Clickstream.Settings();
    switch (options.getIpPrivacy()) {
      case "truncate":
        s.privacy = ClickPrivacy.truncating();
        break;
      case "hmac":
        String key = System.getenv(options.getIpKeyEnv());
        s.privacy = ClickPrivacy.hashing(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            options.getIpKeyEnv());
        break;
      default:
        throw new IllegalArgumentException("--ipPrivacy=" + options.getIpPrivacy()
            + " is not one of truncate, hmac");
    }
    s.sessionGap = Durations.parse("sessionGap", options.getSessionGap());
    s.identityTtl = Durations.parse("identityTtl", options.getIdentityTtl());
    s.botMaxRatePerMinute = options.getBotMaxRate();
    s.botSigmas = options.getBotSigmas();
    s.botStatsWindow = Durations.parse("botStatsWindow", options.getBotStatsWindow());
    s.anonymityK = options.getAnonymityK();
    s.fromMillis = instant("from", options.getFrom());
    s.toMillis = instant("to", options.getTo());
    if (options.isStreaming()) {
      s.flushEvery = Durations.parse("orderingInterval", options.getOrderingInterval());
      if (!s.flushEvery.isLongerThan(Duration.ZERO)) {
        throw new IllegalArgumentException("--orderingInterval must be positive");
      }
    }
    try {
      s.validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--sessionGap, --identityTtl, --botStatsWindow, --botMaxRate,"
          + " --botSigmas, --anonymityK, --from/--to: " + e.getMessage());
    }
    return s;
  }

  /** read = valid + filtered (outside the range) + duplicates + dead letters. */
  public static Conservation conservation(Options options) {
    return Conservation.aggregated();
  }

  private static Long instant(String option, String text) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
          : java.time.Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--" + option + "=" + text
          + " is neither a date like 2026-03-07 nor an instant like 2026-03-07T23:00:00Z");
    }
  }

  private static ClickGenerator generator(RecordSource source) {
    if (source instanceof GeneratorSource && ((GeneratorSource) source).generator() instanceof ClickGenerator) {
      return (ClickGenerator) ((GeneratorSource) source).generator();
    }
    return null;
  }

  /** Builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    validate(options);
    return AfterRun.start(build(options));
  }

  public static Pipeline build(Options options) {
    RecordSource source = Endpoints.source("clicks", options.getClicks(), options.isStreaming());
    TableSink sink = Endpoints.sink(options.getSink());
    Pipeline pipeline = Pipeline.create(options);
    PCollectionTuple results = clickstream(pipeline, options, source,
        Durations.lifetime(options, options.isStreaming()), sink);

    PCollection<DeadLetter> refusedEvents = WarehouseWrites.upsert("WriteEvents",
        results.get(Clickstream.EVENTS_OUT), sink, ClickEventsTable.TABLE, ClickEventsTable.KEY);
    PCollection<DeadLetter> refusedSessions = WarehouseWrites.upsert("WriteSessions",
        results.get(Clickstream.SESSIONS), sink, SessionsTable.TABLE, SessionsTable.KEY);
    PCollection<DeadLetter> refusedIdentities = WarehouseWrites.upsert("WriteIdentityMap",
        results.get(Clickstream.IDENTITIES), sink, IdentityMap.TABLE, IdentityMap.KEY);
    PCollection<DeadLetter> refusedTraffic = WarehouseWrites.upsert("WriteTraffic",
        results.get(Clickstream.TRAFFIC), sink, TrafficStats.TABLE, TrafficStats.KEY);
    WarehouseWrites.writeDeadLetters(PCollectionList.of(results.get(Clickstream.DEAD_LETTERS))
        .and(refusedEvents).and(refusedSessions).and(refusedIdentities).and(refusedTraffic), sink);
    return pipeline;
  }

  /**
   * Reads the clicks and runs {@link Clickstream} on them: the whole clickstream domain, shared by
   * this job and the anomaly jobs, which build their features from its sessions.
   */
  static PCollectionTuple clickstream(Pipeline pipeline, Options options, RecordSource source,
      Duration runFor, TableSink deadLetterSink) {
    PCollectionView<Products> products = productsView(pipeline, options, source);
    return ReadSource.apply(pipeline, "ReadClicks", source, runFor, deadLetterSink)
        .apply("Clickstream", new Clickstream(settings(options), products));
  }

  private static PCollectionView<Products> productsView(Pipeline pipeline, Options options,
      RecordSource source) {
    PCollection<String> lines;
    if (options.getProducts().equals("generator")) {
      lines = pipeline.apply("GeneratorProducts", Create.of(generator(source).productsJsonLines()));
    } else {
      lines = pipeline.apply("ReadProducts", FileSnapshots.once(options.getProducts()))
          .apply("JoinLines", MapElements.into(TypeDescriptor.of(String.class))
              .via((List<String> l) -> String.join("\n", l)));
    }
    return lines
        .apply("ParseProducts", MapElements.into(TypeDescriptor.of(Products.class)).via(Products::parse))
        .setCoder(SerializableCoder.of(Products.class))
        .apply("ProductsView", View.asSingleton());
  }
}
