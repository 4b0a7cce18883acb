package dev.meshflow.transforms.ingest;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.transforms.deadletter.GuardedFn;
import dev.meshflow.transforms.interactions.DedupeByEventId;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionWindowing;
import dev.meshflow.transforms.interactions.ParseInteractions;
import dev.meshflow.transforms.interactions.SplitTooLate;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * ETL ingestion of interactions, identical in batch and streaming except for the late split, the
 * dedupe's state and the fill's ordering.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Parse and validate (dead letters: stage parse); streaming: split off too-late events.
 *   <li>Deduplicate by event_id.
 *   <li>Keep the chosen event and item types.
 *   <li>Enrich from the catalog side input, or from the items' changelog joined with state (a miss
 *       is a dead letter with stage enrich, or kept)
 *       and map to the {@code interactions} schema; a record this step throws on is a dead letter
 *       with stage transform ({@link GuardedFn}), not a failed job.
 *   <li>Fill a missing device from the user's last known one.
 *   <li>Hash, mask or drop private columns.
 * </ol>
 */
public final class IngestEtl extends PTransform<PCollection<KV<String, byte[]>>, PCollectionTuple> {
  public static final TupleTag<Row> ROWS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};
  public static final String FILTERED = "events_filtered";
  static final String ENRICH_AND_MAP = "EnrichAndMap";

  private final EtlSpec spec;
  private final boolean streaming;
  private final Duration allowedLateness;
  private final Duration dedupeWindow;
  private final PCollectionView<Map<String, List<String>>> catalog;
  private final PCollection<KV<String, List<String>>> changelog;

  private IngestEtl(EtlSpec spec, boolean streaming, Duration allowedLateness,
      Duration dedupeWindow, PCollectionView<Map<String, List<String>>> catalog,
      PCollection<KV<String, List<String>>> changelog) {
    this.spec = spec;
    this.streaming = streaming;
    this.allowedLateness = allowedLateness;
    this.dedupeWindow = dedupeWindow;
    this.catalog = catalog;
    this.changelog = changelog;
  }

  /** @param catalog the catalog view, or null for no enrichment */
  public static IngestEtl batch(EtlSpec spec, Duration dedupeWindow,
      PCollectionView<Map<String, List<String>>> catalog) {
    return new IngestEtl(spec, false, Duration.ZERO, dedupeWindow, catalog, null);
  }

  public static IngestEtl streaming(EtlSpec spec, Duration allowedLateness, Duration dedupeWindow,
      PCollectionView<Map<String, List<String>>> catalog) {
    return new IngestEtl(spec, true, allowedLateness, dedupeWindow, catalog, null);
  }

  /**
   * Streaming, enriched from the items' changelog ({@code item_id} to its latest {@code [title,
   * artist, genre]}, an empty list for a deleted item) joined with state.
   */
  public static IngestEtl streamingWithChangelog(EtlSpec spec, Duration allowedLateness,
      Duration dedupeWindow, PCollection<KV<String, List<String>>> changelog) {
    return new IngestEtl(spec, true, allowedLateness, dedupeWindow, null, changelog);
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, byte[]>> records) {
    boolean enrichMayFail = (catalog != null || changelog != null) && spec.catalogMissIsError;
    PCollectionTuple parsed = records.apply("Parse", new ParseInteractions(streaming || enrichMayFail));
    PCollection<InteractionEvent> events = parsed.get(ParseInteractions.EVENTS);
    PCollectionList<DeadLetter> deadLetters = PCollectionList.of(parsed.get(ParseInteractions.DEAD_LETTERS));
    if (streaming) {
      PCollectionTuple split = events.apply(
          "SplitTooLate", new SplitTooLate(InteractionWindowing.WINDOW_SIZE, allowedLateness));
      events = split.get(SplitTooLate.ON_TIME);
      deadLetters = deadLetters.and(split.get(SplitTooLate.TOO_LATE));
    }
    Duration retention = dedupeWindow.isLongerThan(allowedLateness) ? dedupeWindow : allowedLateness;
    PCollection<InteractionEvent> kept = events
        .apply("Deduplicate", streaming ? DedupeByEventId.streaming(retention) : DedupeByEventId.batch())
        .apply("KeepChosenTypes", Filter.by(new KeepFn(spec)));

    PCollectionTuple mapped = changelog != null
        ? kept.apply(ENRICH_AND_MAP, new ChangelogEnrichment(changelog, spec.catalogMissIsError))
        : kept.apply(ENRICH_AND_MAP, catalog == null
            ? ParDo.of(new GuardedFn<>(ENRICH_AND_MAP, InteractionsTable::toRow, DEAD_LETTERS))
                .withOutputTags(ROWS, TupleTagList.of(DEAD_LETTERS))
            : ParDo.of(new EnrichFn(catalog, spec.catalogMissIsError))
                .withSideInputs(catalog).withOutputTags(ROWS, TupleTagList.of(DEAD_LETTERS)));
    mapped.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    PCollection<Row> rows = mapped.get(ROWS).setRowSchema(InteractionsTable.SCHEMA);
    deadLetters = deadLetters.and(mapped.get(DEAD_LETTERS));

    if (spec.fillMissingDevice) {
      rows = rows.apply("FillMissingDevice",
          streaming ? FillMissingDevice.streaming() : FillMissingDevice.batch());
    }
    if (!spec.privacy.isEmpty()) {
      PrivacyRules privacy = spec.privacy;
      rows = rows.apply("ApplyPrivacyRules",
              MapElements.into(TypeDescriptors.rows()).via(privacy::apply))
          .setRowSchema(InteractionsTable.SCHEMA);
    }
    PCollection<DeadLetter> allDeadLetters = deadLetters
        .apply("CollectDeadLetters", Flatten.pCollections()).setCoder(DeadLetterCoder.of());
    return PCollectionTuple.of(ROWS, rows).and(DEAD_LETTERS, allDeadLetters);
  }

  private static final class KeepFn implements org.apache.beam.sdk.transforms.ProcessFunction<InteractionEvent, Boolean> {
    private final EtlSpec spec;
    private final RunMetrics.StageCounter filtered = RunMetrics.counter(FILTERED);

    KeepFn(EtlSpec spec) {
      this.spec = spec;
    }

    @Override
    public Boolean apply(InteractionEvent e) {
      boolean keep = spec.keeps(e.eventType(), e.itemType());
      if (!keep) {
        filtered.inc();
      }
      return keep;
    }
  }

  private static final class EnrichFn extends DoFn<InteractionEvent, Row> {
    private final PCollectionView<Map<String, List<String>>> catalog;
    private final ItemEnrichment enrichment;

    EnrichFn(PCollectionView<Map<String, List<String>>> catalog, boolean missIsError) {
      this.catalog = catalog;
      this.enrichment = new ItemEnrichment(missIsError);
    }

    @ProcessElement
    public void process(@Element InteractionEvent e, ProcessContext c, MultiOutputReceiver out) {
      enrichment.enrich(e, c.sideInput(catalog).get(e.itemId()), out);
    }
  }
}
