package dev.meshflow.pipelines.recommendations;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.io.TableSink;
import dev.meshflow.options.EventTimeOptions;
import dev.meshflow.options.GovernanceOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.RecommendationOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.ReadSource;
import dev.meshflow.pipelines.WarehouseWrites;
import dev.meshflow.io.mesh.consumer.MeshProduct;
import dev.meshflow.io.mesh.consumer.ProductChangelog;
import dev.meshflow.io.mesh.consumer.ProductSnapshot;
import dev.meshflow.transforms.recommendations.LatestVersions;
import dev.meshflow.transforms.recommendations.RecommendationTables;
import dev.meshflow.transforms.recommendations.Recommendations;
import dev.meshflow.transforms.recommendations.online.OnlineEvaluation;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.StreamingOptions;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * The Recommendations consumer of the music-streaming mesh: learns item-to-item co-listening,
 * popularity, trending and each user's recent history from every play and skip, and keeps them in
 * a serving store that {@code ./meshflow serve} answers from while this job writes.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Read raw interaction records from {@code --interactions}.
 *   <li>Run {@link Recommendations} (parse, late split, dedupe, co-listening, plays, trending,
 *       user histories, the model's version).
 *   <li>Read the item products of {@code --items} and the Users product of {@code --users} (a
 *       snapshot of each domain's table in batch, its changelog in streaming) and keep each item's
 *       and each user's latest version ({@link LatestVersions}).
 *   <li>With {@code --servedLists}: read the lists the API served and judge each by its user's
 *       next plays ({@link OnlineEvaluation}).
 *   <li>Upsert each table by its key into {@code --sink}, one row per changed key, and every dead
 *       letter into {@code dead_letter}.
 * </ol>
 */
public final class RecommendationsPipeline {
  public static final String NAME = "recommendations";
  public static final String DESCRIPTION =
      "Co-listening neighbours, trending and user histories for the recommendations API, batch or streaming";

  /** Every option this pipeline reads. */
  public interface Options extends GovernanceOptions, RecommendationOptions, SinkOptions, EventTimeOptions,
      RunForOptions, LauncherOptions, StreamingOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, RecommendationsSpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, RecommendationsSpec::of)
          .domain("recommendations")
          .prepare(RecommendationsPipeline::prepare)
          .steps(RecommendationsPipeline::build)
          .exampleQuery("SELECT item_id, neighbour_id, co_count FROM " + RecommendationTables.CO_LISTENS
              + " ORDER BY co_count DESC LIMIT 10")
          .build();

  private RecommendationsPipeline() {}

  /** Reads the options, then builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  /**
   * Resolves the products through the mesh's catalog, under the run's domain's grants, and creates
   * the items and users tables, so that the API finds them (empty) in a store written without the
   * products.
   */
  static RecommendationsSpec prepare(RecommendationsSpec spec) {
    List<MeshProduct> items = new ArrayList<>();
    for (String uri : spec.itemUris()) {
      MeshProduct product = MeshProduct.resolve("items", uri);
      if (product.field("song_id").isEmpty() && product.field("episode_id").isEmpty()) {
        throw new IllegalArgumentException("--items=" + uri + ": not an item product; give the Songs and"
            + " Podcasts products, e.g. --items=mesh://songs,mesh://podcasts");
      }
      items.add(product);
    }
    MeshProduct users = null;
    if (!spec.usersUri().isEmpty()) {
      users = MeshProduct.resolve("users", spec.usersUri());
      if (users.field("user_id").isEmpty() || users.field("country").isEmpty()) {
        throw new IllegalArgumentException("--users=" + spec.usersUri() + ": not the Users product (no user_id"
            + " and country); give --users=mesh://users");
      }
    }
    // Only once every product is granted: a refused run writes nothing.
    if (spec.sink().sqlDialect() != null) {
      spec.sink().createTable(RecommendationTables.ITEMS, RecommendationTables.ITEMS_SCHEMA,
          RecommendationTables.ITEMS_KEY);
      spec.sink().createTable(RecommendationTables.USERS, RecommendationTables.USERS_SCHEMA,
          RecommendationTables.USERS_KEY);
      spec.sink().createTable(RecommendationTables.ONLINE_EVALUATION, RecommendationTables.ONLINE_EVALUATION_SCHEMA,
          RecommendationTables.ONLINE_EVALUATION_KEY);
    }
    return spec.withProducts(items, users);
  }

  static void build(Pipeline pipeline, RecommendationsSpec spec) {
    TableSink sink = spec.sink();
    Recommendations recommender = spec.streaming()
        ? Recommendations.streaming(spec.allowedLateness(), spec.dedupeWindow(), spec.updateInterval())
        : Recommendations.batch();
    PCollectionTuple results = ReadSource.apply(pipeline, "ReadInteractions", spec.input(), spec.runFor(), sink)
        .apply("Recommendations", recommender);

    PCollectionList<DeadLetter> deadLetters = PCollectionList.of(results.get(Recommendations.DEAD_LETTERS))
        .and(WarehouseWrites.upsert("WriteCoListens", results.get(Recommendations.CO_LISTENS), sink,
            RecommendationTables.CO_LISTENS, RecommendationTables.CO_LISTENS_KEY))
        .and(WarehouseWrites.upsert("WriteItemPlays", results.get(Recommendations.ITEM_PLAYS), sink,
            RecommendationTables.ITEM_PLAYS, RecommendationTables.ITEM_PLAYS_KEY))
        .and(WarehouseWrites.upsert("WriteTrending", results.get(Recommendations.TRENDING), sink,
            RecommendationTables.TRENDING, RecommendationTables.TRENDING_KEY))
        .and(WarehouseWrites.upsert("WriteUserHistory", results.get(Recommendations.USER_HISTORY), sink,
            RecommendationTables.USER_HISTORY, RecommendationTables.USER_HISTORY_KEY))
        .and(WarehouseWrites.upsert("WriteModelState", results.get(Recommendations.MODEL_STATE), sink,
            RecommendationTables.MODEL_STATE, RecommendationTables.MODEL_STATE_KEY));
    if (!spec.items().isEmpty()) {
      PCollection<Row> items = read(pipeline, spec, spec.items())
          .apply("LatestItems", LatestVersions.items(spec.streaming(), spec.updateInterval()));
      deadLetters = deadLetters.and(WarehouseWrites.upsert("WriteItems", items, sink,
          RecommendationTables.ITEMS, RecommendationTables.ITEMS_KEY));
    }
    if (spec.users() != null) {
      PCollection<Row> users = read(pipeline, spec, List.of(spec.users()))
          .apply("LatestUsers", LatestVersions.users(spec.streaming(), spec.updateInterval()));
      deadLetters = deadLetters.and(WarehouseWrites.upsert("WriteUsers", users, sink,
          RecommendationTables.USERS, RecommendationTables.USERS_KEY));
    }
    if (spec.servedLists() != null) {
      PCollectionTuple evaluated = PCollectionTuple
          .of(OnlineEvaluation.SERVED_RECORDS, ReadSource.apply(pipeline, "ReadServedLists", spec.servedLists(),
              spec.runFor(), sink))
          .and(OnlineEvaluation.PLAYS, results.get(Recommendations.PLAYS))
          .apply("OnlineEvaluation", spec.streaming()
              ? OnlineEvaluation.streaming(spec.evaluationWindow(), spec.allowedLateness())
              : OnlineEvaluation.batch(spec.evaluationWindow()));
      deadLetters = deadLetters.and(evaluated.get(OnlineEvaluation.DEAD_LETTERS))
          .and(WarehouseWrites.upsert("WriteOnlineEvaluation", evaluated.get(OnlineEvaluation.VERDICTS), sink,
              RecommendationTables.ONLINE_EVALUATION, RecommendationTables.ONLINE_EVALUATION_KEY));
    }
    WarehouseWrites.writeDeadLetters(deadLetters, sink);
  }

  /** Each product's rows: a snapshot of its domain's table in batch, its changelog in streaming. */
  private static PCollectionList<Row> read(Pipeline pipeline, RecommendationsSpec spec, List<MeshProduct> products) {
    PCollectionList<Row> rows = PCollectionList.empty(pipeline);
    for (MeshProduct product : products) {
      String name = Character.toUpperCase(product.name().charAt(0)) + product.name().substring(1);
      rows = rows.and(pipeline.apply("Read" + name, spec.streaming()
          ? new ProductChangelog(product, spec.runFor(), spec.input().endsByItself())
          : new ProductSnapshot(product)));
    }
    return rows;
  }
}
