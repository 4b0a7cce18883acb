package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** What {@code recommendations} learns from and how fresh its store is kept. */
public interface RecommendationOptions extends PipelineOptions {
  @Description(
      "Interaction records to learn from: generator:interactions?...&taste=1&recs=1 (sessions that"
          + " follow taste groups and artists, co-listening a recommender can learn), file:<glob>,"
          + " kafka://host:port/topic or mesh://interactions. `./meshflow endpoints` lists every parameter.")
  @Default.String("generator:interactions?events=60000&seed=42&eventsPerSecond=2&taste=1&recs=1&items=400&users=600")
  String getInteractions();

  void setInteractions(String value);

  @Description(
      "The item products, comma-separated: mesh://songs,mesh://podcasts. Their items' artists, shows,"
          + " genres and topics give content similarity for cold items and trending by genre, and"
          + " only the items they list and have not deleted are recommended. Batch reads each"
          + " domain's table once; streaming follows their changelogs, so a deleted item leaves the"
          + " lists within --updateInterval. Empty: items are known by their plays alone.")
  @Default.String("")
  String getItems();

  void setItems(String value);

  @Description(
      "The Users product: mesh://users. A user the model has not seen yet, whom it lists in a"
          + " country, gets what that country's latest listeners play (reason \"popular in DE\")"
          + " instead of the global trending window. Needs a grant: ./meshflow access request"
          + " --domain=recommendations --product=users, approved by the users domain. Empty: new"
          + " users get the trending window.")
  @Default.String("")
  String getUsers();

  void setUsers(String value);

  @Description(
      "Online evaluation: the served-lists log that ./meshflow serve --servedLists writes"
          + " (kafka://host:port/topic, or file:<glob> of its records). Each list served is judged by"
          + " what its user played next: a hit if they played one of its items among their next 10"
          + " plays within --evaluationWindow. One row per list goes to rec_online_evaluation."
          + " Empty: no online evaluation.")
  @Default.String("")
  String getServedLists();

  void setServedLists(String value);

  @Description(
      "Online evaluation: how long after a list is served its user's plays can make it a hit."
          + " Streaming judges each list once the watermark passes this plus --allowedLateness.")
  @Default.String("10m")
  String getEvaluationWindow();

  void setEvaluationWindow(String value);

  @Description(
      "Streaming: how soon after a new event the rows it changed are written to the store (one row"
          + " per changed key: a neighbour pair, an item, a user), so what the API serves is at most"
          + " this much older than the stream, plus the write.")
  @Default.String("1s")
  String getUpdateInterval();

  void setUpdateInterval(String value);
}
