package dev.meshflow.launcher;

import dev.meshflow.pipelines.MeshflowPipeline;
import dev.meshflow.pipelines.anomaly.AnomalyModelPipeline;
import dev.meshflow.pipelines.anomaly.AnomalyScoringPipeline;
import dev.meshflow.pipelines.clickstream.ClickstreamBackfillPipeline;
import dev.meshflow.pipelines.fleet.FleetAlertsPipeline;
import dev.meshflow.pipelines.fleet.FleetNotifyPipeline;
import dev.meshflow.pipelines.ingest.IngestPipeline;
import dev.meshflow.pipelines.ingest.MicroBatchLoadPipeline;
import dev.meshflow.pipelines.interactions.InteractionAnalyticsPipeline;
import dev.meshflow.pipelines.mesh.ProductCopyPipeline;
import dev.meshflow.pipelines.recommendations.RecommendationsPipeline;
import dev.meshflow.pipelines.skips.SkipModelPipeline;
import dev.meshflow.pipelines.skips.SkipScoringPipeline;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every pipeline the launcher knows, by name. Adding a pipeline is one entry here. */
public final class PipelineCatalog {
  private static final Map<String, MeshflowPipeline<?, ?>> PIPELINES = new LinkedHashMap<>();

  static {
    add(InteractionAnalyticsPipeline.PIPELINE);
    add(IngestPipeline.PIPELINE);
    add(MicroBatchLoadPipeline.PIPELINE);
    add(FleetAlertsPipeline.PIPELINE);
    add(FleetNotifyPipeline.PIPELINE);
    add(ClickstreamBackfillPipeline.PIPELINE);
    add(AnomalyModelPipeline.PIPELINE);
    add(AnomalyScoringPipeline.PIPELINE);
    add(SkipModelPipeline.PIPELINE);
    add(SkipScoringPipeline.PIPELINE);
    add(ProductCopyPipeline.PIPELINE);
    add(RecommendationsPipeline.PIPELINE);
  }

  private PipelineCatalog() {}

  private static void add(MeshflowPipeline<?, ?> pipeline) {
    PIPELINES.put(pipeline.name(), pipeline);
  }

  public static Map<String, MeshflowPipeline<?, ?>> all() {
    return PIPELINES;
  }

  public static MeshflowPipeline<?, ?> get(String name) {
    MeshflowPipeline<?, ?> p = PIPELINES.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown pipeline '" + name + "'; available: " + String.join(", ", PIPELINES.keySet())
              + " (./meshflow list describes them)");
    }
    return p;
  }
}
