package dev.meshflow.pipelines;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.file.FileSnapshots;
import dev.meshflow.options.ClickstreamOptions;
import dev.meshflow.options.Durations;
import dev.meshflow.options.GovernanceOptions;
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
 * sessions (clickstream-backfill, whose spec it is, and the anomaly jobs, whose features are
 * sessions): the options read once, their checks, the products side input, and {@link
 * Clickstream} over the read clicks. So duplicates, late events and bots are handled the same way
 * in each.
 *
 * @param settings the transform's settings, not changed after they are read
 * @param generatedProducts the generator's products, or null to read {@code productsFile}
 * @param productsFile the products JSON-lines file, or null with generated products
 * @param runFor null to run until stopped
 */
public record ClickstreamInput(RecordSource input, TableSink sink, boolean streaming, Duration runFor,
    Clickstream.Settings settings, String generatedProducts, String productsFile) implements RunSpec {
  /** Every option a clickstream-based pipeline reads. */
  public interface Options
      extends GovernanceOptions, ClickstreamOptions, SinkOptions, LauncherOptions, RunForOptions, StreamingOptions {}

  /** Reads and checks the options, with messages that say how to fix them. */
  public static ClickstreamInput of(Options options) {
    Clickstream.Settings settings = settings(options);
    Duration runFor = Durations.lifetime(options, options.isStreaming());
    if (options.getRunner().getSimpleName().equals("SparkRunner")) {
      throw new IllegalArgumentException("clickstream-backfill stitches identities and orders each"
          + " cookie's events with state and event-time timers, which the SparkRunner does not run;"
          + " use DirectRunner or FlinkRunner (batch and streaming)");
    }
    RecordSource source = Endpoints.source("clicks", options.getClicks(), options.isStreaming());
    boolean generated = options.getProducts().equals("generator");
    String generatedProducts = null;
    if (generated) {
      generatedProducts = source.referenceData(RecordSource.PRODUCTS).orElseThrow(() -> new IllegalArgumentException(
          "--products=generator needs --clicks=generator:clicks...; for other sources give"
              + " --products=<JSON lines file>"));
    }
    return new ClickstreamInput(source, Endpoints.sink(options.getSink()), options.isStreaming(), runFor,
        settings, generatedProducts, generated ? null : options.getProducts());
  }

  /** A products file is read now, so a missing or malformed one fails here and not on a worker. */
  public ClickstreamInput prepare() {
    if (productsFile != null) {
      LocalReferenceFile.check("products", productsFile, Products::parse);
    }
    return this;
  }

  /** The transform's settings from the options; throws on a malformed value. */
  private static Clickstream.Settings settings(Options options) {
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

  /** Reads the clicks and runs {@link Clickstream} on them: the whole clickstream domain. */
  public PCollectionTuple read(Pipeline pipeline) {
    return ReadSource.apply(pipeline, "ReadClicks", input, runFor, sink)
        .apply("Clickstream", new Clickstream(settings, productsView(pipeline)));
  }

  private PCollectionView<Products> productsView(Pipeline pipeline) {
    PCollection<String> lines;
    if (generatedProducts != null) {
      lines = pipeline.apply("GeneratorProducts", Create.of(generatedProducts));
    } else {
      lines = pipeline.apply("ReadProducts", FileSnapshots.once(productsFile))
          .apply("JoinLines", MapElements.into(TypeDescriptor.of(String.class))
              .via((List<String> l) -> String.join("\n", l)));
    }
    return lines
        .apply("ParseProducts", MapElements.into(TypeDescriptor.of(Products.class)).via(Products::parse))
        .setCoder(SerializableCoder.of(Products.class))
        .apply("ProductsView", View.asSingleton());
  }
}
