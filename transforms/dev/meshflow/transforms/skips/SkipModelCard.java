package dev.meshflow.transforms.skips;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * What is published next to a skip model ({@code <id>.json} beside {@code <id>.onnx}): its
 * training window, row counts, holdout AUC and log-loss, and the feature baseline that drift is
 * measured against. Ids are {@code skip-<window end, UTC, yyyyMMdd'T'HHmmss>}: unique per window
 * and sorting in training order, so the newest file is the newest model.
 */
public final class SkipModelCard implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  public final String id;
  public final long windowStartMillis;
  public final long windowEndMillis;
  public final long trainRows;
  public final long holdoutRows;
  public final double holdoutAuc;
  public final double holdoutLogLoss;
  public final double skipShare;
  public final String reason;
  public final FeatureBaseline baseline;

  public SkipModelCard(long windowStartMillis, long windowEndMillis, long trainRows, long holdoutRows,
      double holdoutAuc, double holdoutLogLoss, double skipShare, String reason, FeatureBaseline baseline) {
    this.id = idFor(windowEndMillis);
    this.windowStartMillis = windowStartMillis;
    this.windowEndMillis = windowEndMillis;
    this.trainRows = trainRows;
    this.holdoutRows = holdoutRows;
    this.holdoutAuc = holdoutAuc;
    this.holdoutLogLoss = holdoutLogLoss;
    this.skipShare = skipShare;
    this.reason = reason;
    this.baseline = baseline;
  }

  public static String idFor(long windowEndMillis) {
    return "skip-" + ID_TIME.format(java.time.Instant.ofEpochMilli(windowEndMillis));
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("model_id", id);
    root.put("window_start", java.time.Instant.ofEpochMilli(windowStartMillis).toString());
    root.put("window_end", java.time.Instant.ofEpochMilli(windowEndMillis).toString());
    root.put("train_rows", trainRows);
    root.put("holdout_rows", holdoutRows);
    root.put("holdout_auc", holdoutAuc);
    root.put("holdout_log_loss", holdoutLogLoss);
    root.put("skip_share", skipShare);
    root.put("reason", reason);
    ArrayNode features = root.putArray("features");
    for (int f = 0; f < SkipFeatures.COUNT; f++) {
      ObjectNode feature = features.addObject();
      feature.put("name", SkipFeatures.NAMES.get(f));
      ArrayNode edges = feature.putArray("bin_edges");
      for (double e : baseline.edges[f]) {
        edges.add(e);
      }
      ArrayNode shares = feature.putArray("bin_shares");
      for (double s : baseline.shares[f]) {
        shares.add(s);
      }
    }
    return root.toString();
  }

  /** Reads a card; throws IllegalArgumentException naming what is wrong. */
  public static SkipModelCard fromJson(String text) {
    try {
      JsonNode root = JSON.readTree(text);
      JsonNode features = root.get("features");
      if (features == null || features.size() != SkipFeatures.COUNT) {
        throw new IllegalArgumentException("the card lists " + (features == null ? "no" : features.size())
            + " features, this version computes " + SkipFeatures.COUNT);
      }
      double[][] edges = new double[SkipFeatures.COUNT][];
      double[][] shares = new double[SkipFeatures.COUNT][];
      for (int f = 0; f < SkipFeatures.COUNT; f++) {
        JsonNode feature = features.get(f);
        if (!SkipFeatures.NAMES.get(f).equals(feature.get("name").asText())) {
          throw new IllegalArgumentException("feature " + f + " is " + feature.get("name") + ", not "
              + SkipFeatures.NAMES.get(f));
        }
        edges[f] = doubles(feature.get("bin_edges"));
        shares[f] = doubles(feature.get("bin_shares"));
      }
      SkipModelCard card = new SkipModelCard(
          java.time.Instant.parse(root.get("window_start").asText()).toEpochMilli(),
          java.time.Instant.parse(root.get("window_end").asText()).toEpochMilli(),
          root.get("train_rows").asLong(), root.get("holdout_rows").asLong(),
          root.get("holdout_auc").asDouble(), root.get("holdout_log_loss").asDouble(),
          root.get("skip_share").asDouble(), root.get("reason").asText(), new FeatureBaseline(edges, shares));
      if (!card.id.equals(root.get("model_id").asText())) {
        throw new IllegalArgumentException("model_id does not match the window end");
      }
      return card;
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException("not a meshflow skip model card: " + e.getMessage(), e);
    }
  }

  private static double[] doubles(JsonNode node) {
    double[] out = new double[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = node.get(i).asDouble();
    }
    return out;
  }
}
