package dev.meshflow.transforms.ingest;

import java.util.List;

/**
 * The T of ELT: SQL that turns {@code interactions_raw} into {@code interactions_v}, the same typed
 * rows ETL writes to {@code interactions} (before its optional enrichment, fill and privacy
 * steps). It mirrors the parser's contract: valid UTF-8, one JSON object, the required fields with
 * their types, ids of 1 to 256 characters, an ISO-8601 instant, the known item and event types, a
 * whole non-negative duration; then one row per event_id, the one with the smallest origin.
 *
 * <p>Known gaps between SQL and the parser: a field repeated within one object is rejected by the
 * parser but resolved by the JSON functions (DuckDB takes the first, PostgreSQL the last), and
 * PostgreSQL's jsonb reads {@code 1e3} as the whole number 1000.
 */
public final class EltViews {
  public static final String VIEW = "interactions_v";
  private static final String TS_PATTERN =
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$";

  private EltViews() {}

  /** The statements that create the view, for "duckdb" or "postgres". */
  public static List<String> statements(String dialect) {
    switch (dialect) {
      case "duckdb":
        return List.of(duckDb());
      case "postgres":
        return List.of(POSTGRES_UTF8_FUNCTION, postgres());
      default:
        throw new IllegalArgumentException("no ELT view for dialect " + dialect);
    }
  }

  private static String duckDb() {
    return "CREATE OR REPLACE VIEW " + VIEW + " AS\n"
        + "WITH decoded AS (SELECT origin, ingested_at, TRY(decode(payload)) AS txt FROM " + RawLanding.TABLE + "),\n"
        + "parsed AS (SELECT origin, ingested_at, CASE WHEN json_valid(txt) AND json_type(txt) = 'OBJECT'"
        + " THEN txt::JSON END AS j FROM decoded),\n"
        + "fields AS (SELECT origin, ingested_at,\n"
        + "  json_type(j, '$.event_id') AS t_event_id, j->>'$.event_id' AS event_id,\n"
        + "  json_type(j, '$.ts') AS t_ts, j->>'$.ts' AS ts,\n"
        + "  json_type(j, '$.user_id') AS t_user_id, j->>'$.user_id' AS user_id,\n"
        + "  json_type(j, '$.item_id') AS t_item_id, j->>'$.item_id' AS item_id,\n"
        + "  json_type(j, '$.item_type') AS t_item_type, j->>'$.item_type' AS item_type,\n"
        + "  json_type(j, '$.event_type') AS t_event_type, j->>'$.event_type' AS event_type,\n"
        + "  json_type(j, '$.device') AS t_device, j->>'$.device' AS device,\n"
        + "  json_type(j, '$.session_id') AS t_session_id, j->>'$.session_id' AS session_id,\n"
        + "  json_type(j, '$.duration_ms') AS t_duration, j->>'$.duration_ms' AS duration\n"
        + "  FROM parsed WHERE j IS NOT NULL),\n"
        + "valid AS (SELECT * FROM fields WHERE\n"
        + "  t_event_id = 'VARCHAR' AND length(event_id) BETWEEN 1 AND 256\n"
        + "  AND t_user_id = 'VARCHAR' AND length(user_id) BETWEEN 1 AND 256\n"
        + "  AND t_item_id = 'VARCHAR' AND length(item_id) BETWEEN 1 AND 256\n"
        + "  AND t_ts = 'VARCHAR' AND regexp_full_match(ts, '" + TS_PATTERN.substring(1, TS_PATTERN.length() - 1) + "')\n"
        + "  AND TRY_CAST(ts AS TIMESTAMPTZ) IS NOT NULL\n"
        + "  AND t_item_type = 'VARCHAR' AND item_type IN ('song', 'podcast')\n"
        + "  AND t_event_type = 'VARCHAR' AND event_type IN ('play', 'skip', 'like', 'playlist_add')\n"
        + "  AND (t_device IS NULL OR t_device IN ('NULL', 'VARCHAR'))\n"
        + "  AND (t_session_id IS NULL OR t_session_id IN ('NULL', 'VARCHAR'))\n"
        + "  AND (t_duration IS NULL OR t_duration = 'NULL'\n"
        + "       OR (t_duration IN ('BIGINT', 'UBIGINT') AND TRY_CAST(duration AS BIGINT) >= 0)))\n"
        // A window function (QUALIFY row_number()) over this CTE trips an internal error in
        // DuckDB 1.5 ("Failed to cast expression to type"); a join on min(origin) does not.
        + "SELECT event_id, timezone('UTC', TRY_CAST(ts AS TIMESTAMPTZ)) AS event_ts, user_id, item_id,\n"
        + "  item_type, event_type, device, session_id, TRY_CAST(duration AS BIGINT) AS duration_ms,\n"
        + "  origin AS source_origin, ingested_at\n"
        + "FROM valid JOIN (SELECT event_id, min(origin) AS origin FROM valid GROUP BY event_id) first\n"
        + "  USING (event_id, origin)";
  }

  private static final String POSTGRES_UTF8_FUNCTION =
      "CREATE OR REPLACE FUNCTION meshflow_utf8_or_null(b bytea) RETURNS text"
          + " LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN convert_from(b, 'UTF8');"
          + " EXCEPTION WHEN others THEN RETURN NULL; END $$";

  private static String postgres() {
    return "CREATE OR REPLACE VIEW " + VIEW + " AS\n"
        + "WITH decoded AS (SELECT origin, ingested_at, meshflow_utf8_or_null(payload) AS txt FROM " + RawLanding.TABLE + "),\n"
        // MATERIALIZED: an inlined CTE parses the JSON again for every field (10 times slower).
        + "parsed AS MATERIALIZED (SELECT origin, ingested_at, CASE WHEN txt IS NOT NULL AND pg_input_is_valid(txt, 'jsonb')"
        + " AND jsonb_typeof(txt::jsonb) = 'object' THEN txt::jsonb END AS j FROM decoded),\n"
        + "fields AS (SELECT origin, ingested_at,\n"
        + "  jsonb_typeof(j->'event_id') AS t_event_id, j->>'event_id' AS event_id,\n"
        + "  jsonb_typeof(j->'ts') AS t_ts, j->>'ts' AS ts,\n"
        + "  jsonb_typeof(j->'user_id') AS t_user_id, j->>'user_id' AS user_id,\n"
        + "  jsonb_typeof(j->'item_id') AS t_item_id, j->>'item_id' AS item_id,\n"
        + "  jsonb_typeof(j->'item_type') AS t_item_type, j->>'item_type' AS item_type,\n"
        + "  jsonb_typeof(j->'event_type') AS t_event_type, j->>'event_type' AS event_type,\n"
        + "  jsonb_typeof(j->'device') AS t_device, j->>'device' AS device,\n"
        + "  jsonb_typeof(j->'session_id') AS t_session_id, j->>'session_id' AS session_id,\n"
        + "  jsonb_typeof(j->'duration_ms') AS t_duration, j->>'duration_ms' AS duration\n"
        + "  FROM parsed WHERE j IS NOT NULL),\n"
        + "valid AS (SELECT * FROM fields WHERE\n"
        + "  t_event_id = 'string' AND char_length(event_id) BETWEEN 1 AND 256\n"
        + "  AND t_user_id = 'string' AND char_length(user_id) BETWEEN 1 AND 256\n"
        + "  AND t_item_id = 'string' AND char_length(item_id) BETWEEN 1 AND 256\n"
        + "  AND t_ts = 'string' AND ts ~ '" + TS_PATTERN + "'\n"
        + "  AND pg_input_is_valid(ts, 'timestamptz')\n"
        + "  AND t_item_type = 'string' AND item_type IN ('song', 'podcast')\n"
        + "  AND t_event_type = 'string' AND event_type IN ('play', 'skip', 'like', 'playlist_add')\n"
        + "  AND (t_device IS NULL OR t_device IN ('null', 'string'))\n"
        + "  AND (t_session_id IS NULL OR t_session_id IN ('null', 'string'))\n"
        + "  AND (t_duration IS NULL OR t_duration = 'null'\n"
        + "       OR (t_duration = 'number' AND duration ~ '^[0-9]{1,19}$'\n"
        + "           AND duration::numeric <= 9223372036854775807)))\n"
        + "SELECT DISTINCT ON (event_id) event_id,\n"
        + "  (CASE WHEN pg_input_is_valid(ts, 'timestamptz') THEN ts::timestamptz END) AT TIME ZONE 'UTC' AS event_ts,\n"
        + "  user_id, item_id, item_type, event_type, device, session_id,\n"
        + "  CASE WHEN duration ~ '^[0-9]{1,19}$' AND duration::numeric <= 9223372036854775807"
        + " THEN duration::bigint END AS duration_ms,\n"
        + "  origin AS source_origin, ingested_at\n"
        + "FROM valid ORDER BY event_id, origin";
  }
}
