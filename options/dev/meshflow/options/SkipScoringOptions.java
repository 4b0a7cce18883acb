package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How {@code skip-scoring} serves, acts, evaluates and decides to retrain. */
public interface SkipScoringOptions extends PipelineOptions {
  @Description(
      "Plays whose predicted skip probability reaches this become a recommend_alternative action"
          + " in the actions table (1 turns actions off).")
  @Default.Double(0.8)
  double getActionThreshold();

  void setActionThreshold(double value);

  @Description("A window whose AUC falls below this (with enough plays) triggers a retrain.")
  @Default.Double(0.65)
  double getMinAuc();

  void setMinAuc(double value);

  @Description(
      "A window in which any feature's population stability index against the model's training"
          + " baseline exceeds this triggers a retrain (0.25 is the usual alarm level).")
  @Default.Double(0.25)
  double getMaxPsi();

  void setMaxPsi(double value);

  @Description("Windows with fewer labelled predictions than this are reported but never trigger.")
  @Default.Integer(200)
  int getMinEvaluationRows();

  void setMinEvaluationRows(int value);

  @Description(
      "Train a new model when a window triggers (published to --models, then swapped in). false:"
          + " only record the trigger.")
  @Default.Boolean(true)
  boolean getRetrain();

  void setRetrain(boolean value);

  @Description("How often a streaming run looks for a newer model in --models (0s: only at start).")
  @Default.String("5s")
  String getModelsRefresh();

  void setModelsRefresh(String value);

  @Description("The largest inference batch.")
  @Default.Integer(512)
  int getInferenceBatchSize();

  void setInferenceBatchSize(int value);

  @Description(
      "Streaming: the longest a play waits for its inference batch to fill (0s: batch within"
          + " bundles only, without waiting).")
  @Default.String("1s")
  String getInferenceMaxWait();

  void setInferenceMaxWait(String value);
}
