package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where skip models live and how {@code skip-model} (and the loop's retraining) trains them. */
public interface SkipModelOptions extends PipelineOptions {
  @Description(
      "Interaction records to learn from and score: generator:interactions?...&taste=1 (plays whose"
          + " skips follow users' tastes; add driftAfterMinutes=M to turn tastes around), file:<glob>"
          + " or kafka://host:port/topic. `./meshflow endpoints` lists every parameter.")
  @Default.String("generator:interactions?events=200000&seed=42&eventsPerSecond=20&taste=1&driftAfterMinutes=90")
  String getListens();

  void setListens(String value);

  @Description(
      "The model location: a directory (local path or any Beam file system) that gets one"
          + " skip-<window end>.onnx plus its card skip-<window end>.json per model; skip-scoring"
          + " serves the newest and swaps in new ones while it runs.")
  @Default.String("meshflow-data/skip-models")
  String getModels();

  void setModels(String value);

  @Description("How much recent data each model is trained on: a sliding window by play time.")
  @Default.String("1h")
  String getTrainWindow();

  void setTrainWindow(String value);

  @Description(
      "The sliding window's period: how often skip-model trains, and the window skip-scoring"
          + " evaluates quality and drift over. --trainWindow must be a multiple.")
  @Default.String("10m")
  String getTrainEvery();

  void setTrainEvery(String value);

  @Description(
      "Where each user's taste cohort and each song's genre come from: empty for the convention the"
          + " generator's ids follow (user number mod 4, item number mod 6), or the Users and Songs data"
          + " products, mesh://users,mesh://songs (the user's tier and the song's genre, read from each"
          + " domain's table when the run starts; needs the domain databases: ./meshflow produce).")
  @Default.String("")
  String getAttributesFrom();

  void setAttributesFrom(String value);

  @Description("logistic (logistic regression) or fm (factorization machine), both trained by Tribuo.")
  @Default.String("logistic")
  String getModelKind();

  void setModelKind(String value);

  @Description("Training epochs over each window's sample.")
  @Default.Integer(5)
  int getTrainEpochs();

  void setTrainEpochs(int value);

  @Description("Seed of the trainer, so a window's model is reproducible.")
  @Default.Long(1)
  long getTrainSeed();

  void setTrainSeed(long value);

  @Description("A window with fewer labelled plays than this trains no model.")
  @Default.Integer(500)
  int getMinTrainingRows();

  void setMinTrainingRows(int value);

  @Description("At most this many labelled plays per window are trained on (a seeded sample beyond it).")
  @Default.Integer(50_000)
  int getMaxTrainingRows();

  void setMaxTrainingRows(int value);

  @Description(
      "A play is skipped if a skip of the same item in the same session follows within this time;"
          + " once it has passed without one, the play counts as listened on.")
  @Default.String("30s")
  String getOutcomeTimeout();

  void setOutcomeTimeout(String value);
}
