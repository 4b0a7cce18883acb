package dev.meshflow.transforms.ingest;

import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionEventCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Streaming enrichment from the items' changelogs (the Songs and Podcasts products' topics) joined
 * with state, instead of a side input re-read from a file: per item id, the latest version the
 * changelog delivered is kept in state, and each event is enriched with it as it arrives. A genre
 * change therefore reaches the next events of that item as soon as the change is read, on every
 * runner (Flink included, which cannot refresh a side input while streaming).
 *
 * <p>An event whose item the changelog has not delivered (yet), or has deleted, is a miss: kept
 * with empty columns, or a dead letter with stage {@code enrich}, as {@code --onCatalogMiss} says.
 * So a job should be started with the changelog's topic in place; its history is read first
 * thing, from the beginning.
 */
final class ChangelogEnrichment extends PTransform<PCollection<InteractionEvent>, PCollectionTuple> {
  private final PCollection<KV<String, List<String>>> changelog;
  private final boolean missIsError;

  ChangelogEnrichment(PCollection<KV<String, List<String>>> changelog, boolean missIsError) {
    this.changelog = changelog;
    this.missIsError = missIsError;
  }

  @Override
  public PCollectionTuple expand(PCollection<InteractionEvent> events) {
    Coder<JoinInput> coder = new JoinInputCoder();
    PCollection<KV<String, JoinInput>> keyedEvents = events
        .apply("KeyEventsByItem", MapElements.into(new TypeDescriptor<KV<String, JoinInput>>() {})
            .via(e -> KV.of(e.itemId(), new JoinInput(e, null))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), coder));
    PCollection<KV<String, JoinInput>> keyedItems = changelog
        .apply("KeyVersionsByItem", MapElements.into(new TypeDescriptor<KV<String, JoinInput>>() {})
            .via(kv -> KV.of(kv.getKey(), new JoinInput(null, kv.getValue()))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), coder));
    return PCollectionList.of(keyedEvents).and(keyedItems)
        .apply("EventsAndVersions", Flatten.pCollections())
        .apply("EnrichWithLatestVersion", ParDo.of(new JoinFn(missIsError))
            .withOutputTags(IngestEtl.ROWS, TupleTagList.of(IngestEtl.DEAD_LETTERS)));
  }

  /** An event to enrich, or an item's new version (an empty list: deleted). */
  static final class JoinInput {
    final InteractionEvent event;
    final List<String> item;

    JoinInput(InteractionEvent event, List<String> item) {
      this.event = event;
      this.item = item;
    }
  }

  static final class JoinInputCoder extends CustomCoder<JoinInput> {
    private static final Coder<InteractionEvent> EVENT = NullableCoder.of(InteractionEventCoder.of());
    private static final Coder<List<String>> ITEM =
        NullableCoder.of(ListCoder.of(NullableCoder.of(StringUtf8Coder.of())));

    @Override
    public void encode(JoinInput in, OutputStream out) throws IOException {
      EVENT.encode(in.event, out);
      ITEM.encode(in.item, out);
    }

    @Override
    public JoinInput decode(InputStream in) throws IOException {
      return new JoinInput(EVENT.decode(in), ITEM.decode(in));
    }
  }

  private static final class JoinFn extends DoFn<KV<String, JoinInput>, Row> {
    @StateId("item")
    private final StateSpec<ValueState<List<String>>> itemSpec =
        StateSpecs.value(ListCoder.of(NullableCoder.of(StringUtf8Coder.of())));
    private final ItemEnrichment enrichment;

    JoinFn(boolean missIsError) {
      this.enrichment = new ItemEnrichment(missIsError);
    }

    @ProcessElement
    public void process(@Element KV<String, JoinInput> in, @StateId("item") ValueState<List<String>> item,
        MultiOutputReceiver out) {
      JoinInput input = in.getValue();
      if (input.event == null) {
        item.write(input.item);
        return;
      }

      List<String> known = item.read();
      enrichment.enrich(input.event, known == null || known.isEmpty() ? null : known, out);
    }
  }
}
