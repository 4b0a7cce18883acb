package dev.meshflow.pipelines.recommendations;

import dev.meshflow.io.RecordSource;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.mesh.consumer.MeshProduct;
import dev.meshflow.options.Durations;
import dev.meshflow.pipelines.RunSpec;
import java.util.ArrayList;
import java.util.List;
import org.joda.time.Duration;

/**
 * What {@code recommendations}'s options say, read once.
 *
 * @param runFor null to run until stopped
 * @param itemUris {@code --items}, the item products' URIs (empty: none)
 * @param items those products, resolved through the mesh's catalog by
 *     {@link RecommendationsPipeline#prepare}
 * @param usersUri {@code --users}, the Users product's URI (empty: none)
 * @param users that product, resolved by {@link RecommendationsPipeline#prepare}; null if none
 * @param servedLists {@code --servedLists}, the served-lists log online evaluation reads; null if none
 */
public record RecommendationsSpec(RecordSource input, TableSink sink, boolean streaming, Duration runFor,
    Duration dedupeWindow, Duration allowedLateness, Duration updateInterval, List<String> itemUris,
    List<MeshProduct> items, String usersUri, MeshProduct users, RecordSource servedLists,
    Duration evaluationWindow) implements RunSpec {

  @Override
  public List<RecordSource> otherInputs() {
    return servedLists == null ? List.of() : List.of(servedLists);
  }

  @Override
  public String describeInput() {
    return input.describe() + (servedLists == null ? "" : "; served lists: " + servedLists.describe());
  }

  /** This spec with its products resolved. */
  RecommendationsSpec withProducts(List<MeshProduct> resolvedItems, MeshProduct resolvedUsers) {
    return new RecommendationsSpec(input, sink, streaming, runFor, dedupeWindow, allowedLateness, updateInterval,
        itemUris, List.copyOf(resolvedItems), usersUri, resolvedUsers, servedLists, evaluationWindow);
  }

  /** Reads and checks the options, with messages that say how to fix them. */
  public static RecommendationsSpec of(RecommendationsPipeline.Options options) {
    boolean streaming = options.isStreaming();
    Duration lateness = Durations.parse("allowedLateness", options.getAllowedLateness());
    Duration dedupe = Durations.parse("dedupeWindow", options.getDedupeWindow());
    Duration update = Durations.parse("updateInterval", options.getUpdateInterval());
    if (Durations.parse("earlyFiringInterval", options.getEarlyFiringInterval()).getMillis() > 0) {
      throw new IllegalArgumentException("--earlyFiringInterval does not apply to recommendations; its"
          + " streaming form writes each changed row every --updateInterval (default 1s)");
    }
    if (streaming && update.getMillis() <= 0) {
      throw new IllegalArgumentException("--updateInterval must be more than 0s, or the store would never"
          + " see a streaming update");
    }
    if (lateness.isLongerThan(Duration.standardDays(1))) {
      throw new IllegalArgumentException("--allowedLateness=" + options.getAllowedLateness()
          + " keeps every user's plays for over a day; use at most 1d");
    }
    if (!options.getRunner().getSimpleName().matches("DirectRunner|FlinkRunner|TestFlinkRunner|DataflowRunner")) {
      throw new IllegalArgumentException(options.getRunner().getSimpleName() + " is not supported by"
          + " recommendations: its co-listening step keeps each user's plays in keyed map state, which"
          + " runs on DirectRunner, FlinkRunner and DataflowRunner");
    }
    if (options.getProgressSeconds() < 0) {
      throw new IllegalArgumentException("--progressSeconds must be 0 (off) or more");
    }
    List<String> itemUris = new ArrayList<>();
    for (String uri : options.getItems().split(",")) {
      if (uri.isBlank()) {
        continue;
      }
      if (!uri.trim().startsWith(MeshProduct.SCHEME + "://")) {
        throw new IllegalArgumentException("--items=" + uri.trim() + ": give the item products as mesh:// URIs,"
            + " e.g. --items=mesh://songs,mesh://podcasts");
      }
      itemUris.add(uri.trim());
    }
    String users = options.getUsers().trim();
    if (!users.isEmpty() && !users.startsWith(MeshProduct.SCHEME + "://")) {
      throw new IllegalArgumentException("--users=" + users + ": give the Users product as a mesh:// URI,"
          + " e.g. --users=mesh://users");
    }
    Duration evaluationWindow = Durations.parse("evaluationWindow", options.getEvaluationWindow());
    if (evaluationWindow.getMillis() <= 0 || evaluationWindow.isLongerThan(Duration.standardDays(1))) {
      throw new IllegalArgumentException("--evaluationWindow=" + options.getEvaluationWindow()
          + ": give more than 0s and at most 1d (each user's plays are kept that long)");
    }
    String served = options.getServedLists().trim();
    return new RecommendationsSpec(Endpoints.source(options.getInteractions(), streaming),
        Endpoints.sink(options.getSink()), streaming, Durations.lifetime(options, streaming),
        dedupe, lateness, update, List.copyOf(itemUris), List.of(), users, null,
        served.isEmpty() ? null : Endpoints.source(served, streaming), evaluationWindow);
  }
}
