package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How {@code ingest} lands interactions: ETL (transform, then load) or ELT (load raw). */
public interface IngestOptions extends PipelineOptions {
  /** The two ingestion styles. */
  enum Mode { ETL, ELT }

  @Description(
      "ETL: parse, validate, dedupe and transform in the pipeline, upsert into `interactions`."
          + " ELT: land every payload unchanged in `interactions_raw` and create the SQL view"
          + " `interactions_v` that parses, validates and dedupes in the warehouse.")
  @Default.Enum("ETL")
  Mode getMode();

  void setMode(Mode value);

  @Description("ETL: keep only these event types (comma-separated, e.g. play,skip). Empty: all.")
  @Default.String("")
  String getKeepEventTypes();

  void setKeepEventTypes(String value);

  @Description("ETL: keep only these item types (domains: song, podcast). Empty: all.")
  @Default.String("")
  String getKeepItemTypes();

  void setKeepItemTypes(String value);

  @Description(
      "ETL: fill a missing device with the user's last known device (by event time; a batch run"
          + " is exact, a stream uses what has arrived). The row's device_filled says so.")
  @Default.Boolean(false)
  boolean getFillMissingDevice();

  void setFillMissingDevice(boolean value);

  @Description(
      "ETL: item catalog to enrich with title, artist and genre: a JSON-lines or CSV file"
          + " (item_id,title,artist,genre), re-read while streaming (see --catalogRefresh); or the"
          + " mesh's item products, mesh://songs,mesh://podcasts (params catalog=DIR, bootstrap,"
          + " topic, db): streaming joins their changelog topics with state, so a change reaches"
          + " the next events on every runner; batch reads a snapshot of the domains' tables."
          + " Empty: no enrichment.")
  @Default.String("")
  String getCatalog();

  void setCatalog(String value);

  @Description("ETL, streaming from an endless source: how often the catalog file is re-read."
      + " 0s: read once at start (needed on FlinkRunner).")
  @Default.String("1m")
  String getCatalogRefresh();

  void setCatalogRefresh(String value);

  @Description(
      "ETL: what to do with an event whose item is not in the catalog: keep (empty title,"
          + " artist, genre) or deadletter (stage `enrich`).")
  @Default.String("keep")
  String getOnCatalogMiss();

  void setOnCatalogMiss(String value);

  @Description(
      "ETL: columns to replace by a keyed HMAC-SHA256 (comma-separated: user_id, session_id,"
          + " device). The key comes from the environment variable named by --hmacKeyEnv.")
  @Default.String("")
  String getHashFields();

  void setHashFields(String value);

  @Description("ETL: columns to mask, keeping only their last two characters.")
  @Default.String("")
  String getMaskFields();

  void setMaskFields(String value);

  @Description("ETL: columns to leave empty in the warehouse.")
  @Default.String("")
  String getDropFields();

  void setDropFields(String value);

  @Description("The environment variable that holds the HMAC key for --hashFields (never logged).")
  @Default.String("MESHFLOW_HMAC_KEY")
  String getHmacKeyEnv();

  void setHmacKeyEnv(String value);
}
