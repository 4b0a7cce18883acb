package dev.meshflow.pipelines;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.options.ClickstreamOptions;
import dev.meshflow.options.Durations;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.transforms.clickstream.ClickPrivacy;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.Products;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;

/**
 * The clicks as the clickstream domain sees them, shared by every pipeline that builds on its
 * sessions (clickstream-backfill, and the anomaly jobs, whose features are sessions): the options,
 * their checks, the products side input, and {@link Clickstream} over the read clicks. So
 * duplicates, late events and bots are handled the same way in each.
 */
public final class ClickstreamInput {
  /** Every option a clickstream-based pipeline reads. */
  public interface Options
      extends ClickstreamOptions, SinkOptions, LauncherOptions, RunForOptions, StreamingOptions {}

  private ClickstreamInput() {}

  /** The clicks to read, from {@code --clicks}. */
  public static RecordSource source(Options options) {
    return Endpoints.source("clicks", options.getClicks(), options.isStreaming());
  }

  /** Checks options that depend on each other, with messages that say how to fix them. */
  public static void validate(Options options) {
    settings(options).validate();
    Durations.lifetime(options, options.isStreaming());
    if (options.getRunner().getSimpleName().equals("SparkRunner")) {
      throw new IllegalArgumentException("clickstream-backfill stitches identities and orders each"
          + " cookie's events with state and event-time timers, which the SparkRunner does not run;"
          + " use DirectRunner or FlinkRunner (batch and streaming)");
    }
    RecordSource source = source(options);
    if (options.getProducts().equals("generator") && source.referenceData(RecordSource.PRODUCTS).isEmpty()) {
      throw new IllegalArgumentException("--products=generator needs --clicks=generator:clicks...;"
          + " for other sources give --products=<JSON lines file>");
    }
    if (!options.getProducts().equals("generator")) {
      LocalReferenceFile.check("products", options.getProducts(), Products::parse);
    }
    Endpoints.sink(options.getSink());
  }

  /** The transform's settings from the options; throws on a malformed value. */
  public static Clickstream.Settings settings(Options options) {
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

  /**
   * Reads the clicks and runs {@link Clickstream} on them: the whole clickstream domain.
   */
  public static PCollectionTuple clickstream(Pipeline pipeline, Options options, RecordSource source,
      Duration runFor, TableSink deadLetterSink) {
    PCollectionView<Products> products = productsView(pipeline, options, source);
    return ReadSource.apply(pipeline, "ReadClicks", source, runFor, deadLetterSink)
        .apply("Clickstream", new Clickstream(settings(options), products));
  }

  private static PCollectionView<Products> productsView(Pipeline pipeline, Options options,
      RecordSource source) {
    PCollection<String> lines;
    if (options.getProducts().equals("generator")) {
      lines = pipeline.apply("GeneratorProducts", Create.of(source.referenceData(RecordSource.PRODUCTS).orElseThrow()));
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
