package dev.meshflow.pipelines.ingest;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.mesh.consumer.MeshProduct;
import dev.meshflow.options.Durations;
import dev.meshflow.options.IngestOptions;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.pipelines.RefreshedSideInputs;
import dev.meshflow.pipelines.RunSpec;
import dev.meshflow.transforms.ingest.EltViews;
import dev.meshflow.transforms.ingest.EtlSpec;
import dev.meshflow.transforms.ingest.InteractionsTable;
import dev.meshflow.transforms.ingest.PrivacyRules;
import dev.meshflow.transforms.ingest.RawLanding;
import dev.meshflow.transforms.interactions.InteractionParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.joda.time.Duration;

/**
 * What {@code ingest}'s options say, read once.
 *
 * @param etl the ETL steps; null in ELT mode
 * @param catalog the catalog file, or {@code mesh://} item products; empty for none
 * @param items the item products {@code catalog} names, resolved by {@link IngestPipeline#prepare}
 *     (empty before, and for a file)
 * @param runFor null to run until stopped
 */
public record IngestSpec(RecordSource input, TableSink sink, boolean streaming, Duration runFor,
    EtlSpec etl, Duration dedupeWindow, Duration allowedLateness, String catalog,
    Duration catalogRefresh, List<MeshProduct> items) implements RunSpec {

  /** Whether {@code --catalog} names item products ({@code mesh://songs,mesh://podcasts}). */
  public boolean meshItems() {
    return catalog.startsWith(MeshProduct.SCHEME + "://");
  }

  /** This spec with its item products resolved. */
  IngestSpec withItems(List<MeshProduct> resolved) {
    return new IngestSpec(input, sink, streaming, runFor, etl, dedupeWindow, allowedLateness, catalog,
        catalogRefresh, List.copyOf(resolved));
  }

  @Override
  public Conservation conservation() {
    return Conservation.rowsOf(etl != null ? InteractionsTable.TABLE : RawLanding.TABLE);
  }

  /** Reads and checks the options, with messages that say how to fix them. */
  public static IngestSpec of(IngestPipeline.Options options) {
    boolean streaming = options.isStreaming();
    Duration lateness = Durations.parse("allowedLateness", options.getAllowedLateness());
    Duration dedupe = Durations.parse("dedupeWindow", options.getDedupeWindow());
    Duration runFor = Durations.lifetime(options, streaming);
    boolean etl = options.getMode() == IngestOptions.Mode.ETL;
    RecordSource source = Endpoints.source(options.getSource(), streaming);
    TableSink sink = Endpoints.sink(options.getSink());
    if (!etl) {
      for (Map.Entry<String, Boolean> o : Map.of(
          "--keepEventTypes", !options.getKeepEventTypes().isEmpty(),
          "--keepItemTypes", !options.getKeepItemTypes().isEmpty(),
          "--fillMissingDevice", options.getFillMissingDevice(),
          "--catalog", !options.getCatalog().isEmpty(),
          "--hashFields/--maskFields/--dropFields", !options.getHashFields().isEmpty()
              || !options.getMaskFields().isEmpty() || !options.getDropFields().isEmpty()).entrySet()) {
        if (o.getValue()) {
          throw new IllegalArgumentException(o.getKey() + " only applies to --mode=ETL; in ELT the"
              + " warehouse transforms (see the view " + EltViews.VIEW + ")");
        }
      }
      if (sink.sqlDialect() == null) {
        throw new IllegalArgumentException("--mode=ELT needs a SQL warehouse sink (duckdb: or"
            + " postgresql:) to hold the view " + EltViews.VIEW + "; " + sink.describe() + " has none");
      }
      return new IngestSpec(source, sink, streaming, runFor, null, dedupe, lateness, "", Duration.ZERO,
          List.of());
    }
    EtlSpec steps = etlSteps(options);
    boolean mesh = options.getCatalog().startsWith(MeshProduct.SCHEME + "://");
    Duration refresh = options.getCatalog().isEmpty() || mesh // a changelog needs no re-reading
        ? Durations.parse("catalogRefresh", options.getCatalogRefresh())
        : RefreshedSideInputs.refresh("catalogRefresh", options.getCatalogRefresh(), options);
    if (streaming && options.getRunner().getSimpleName().equals("SparkRunner")) {
      throw new IllegalArgumentException(
          "SparkRunner's streaming mode rejects event-time timers, which the ETL late split and"
              + " dedupe need; run --mode=ETL --streaming on DirectRunner or FlinkRunner, or use"
              + " --mode=ELT on Spark");
    }
    return new IngestSpec(source, sink, streaming, runFor, steps, dedupe, lateness,
        options.getCatalog(), refresh, List.of());
  }

  private static EtlSpec etlSteps(IngestOptions options) {
    Set<String> eventTypes = csvIn("--keepEventTypes", options.getKeepEventTypes(),
        InteractionParser.EVENT_TYPES);
    Set<String> itemTypes = csvIn("--keepItemTypes", options.getKeepItemTypes(),
        InteractionParser.ITEM_TYPES);
    String miss = options.getOnCatalogMiss();
    if (!miss.equals("keep") && !miss.equals("deadletter")) {
      throw new IllegalArgumentException("--onCatalogMiss=" + miss + ": use keep or deadletter");
    }
    if (miss.equals("deadletter") && options.getCatalog().isEmpty()) {
      throw new IllegalArgumentException("--onCatalogMiss=deadletter needs --catalog=<file> or"
          + " --catalog=mesh://songs,mesh://podcasts");
    }
    String key = System.getenv(options.getHmacKeyEnv());
    PrivacyRules privacy = PrivacyRules.of(options.getHashFields(), options.getMaskFields(),
        options.getDropFields(), key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        options.getHmacKeyEnv());
    return new EtlSpec(eventTypes, itemTypes, options.getFillMissingDevice(),
        miss.equals("deadletter"), privacy);
  }

  private static Set<String> csvIn(String option, String csv, Set<String> allowed) {
    Set<String> out = new TreeSet<>();
    for (String v : csv.isBlank() ? new String[0] : csv.trim().split("\\s*,\\s*")) {
      if (!allowed.contains(v)) {
        throw new IllegalArgumentException(option + ": '" + v + "' is not one of " + new TreeSet<>(allowed));
      }
      out.add(v);
    }
    return out;
  }
}
