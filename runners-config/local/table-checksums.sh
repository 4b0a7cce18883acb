#!/usr/bin/env bash
# Runs pipelines on their embedded defaults into fresh DuckDB files and prints a checksum of each
# result table (rows, and the md5 of the rows in sorted order; for dead_letter the columns that do
# not hold a wall-clock time). Run it in two checkouts and diff the outputs to show that a change
# left every table the same:
#
#   runners-config/local/table-checksums.sh DirectRunner > before.txt   # in the old checkout
#   runners-config/local/table-checksums.sh DirectRunner > after.txt    # in the new one
#   diff before.txt after.txt
#
# Usage: table-checksums.sh RUNNER [PIPELINE ...]   (default: interaction-analytics ingest
# fleet-alerts clickstream-backfill). The warehouses go to meshflow-data/checksums/.
set -euo pipefail
cd "$(dirname "$0")/../.."
runner=${1:?usage: table-checksums.sh RUNNER [PIPELINE ...]}
shift
pipelines=("${@:-interaction-analytics ingest fleet-alerts clickstream-backfill}")
mkdir -p meshflow-data/checksums
row() { ./meshflow query --db="$1" "$2" 2>/dev/null | sed -n 3p | tr -s ' '; }
for p in ${pipelines[@]}; do
  db=$PWD/meshflow-data/checksums/$p-$runner.duckdb
  rm -f "$db"
  extra=()
  [ "$p" = fleet-alerts ] && extra=(--alertsStream=)
  if ! ./meshflow "$p" --runner="$runner" --sink="duckdb:$db" "${extra[@]}" > "$db.log" 2>&1; then
    echo "$p FAILED (see $db.log)"
    continue
  fi
  case $p in
    interaction-analytics) tables="item_minute_stats" ;;
    ingest) tables="interactions" ;;
    fleet-alerts) tables="vehicle_minute_stats alerts" ;;
    clickstream-backfill) tables="sessions identity_map traffic_by_country_hour" ;;
    *) tables="" ;;
  esac
  for t in $tables; do
    echo "$p $t $(row "$db" "SELECT count(*) AS n, md5(string_agg(CAST(r AS VARCHAR), '|' ORDER BY CAST(r AS VARCHAR))) AS md5 FROM $t r")"
  done
  echo "$p dead_letter $(row "$db" "SELECT count(*) AS n, md5(string_agg(concat_ws(',', id, stage, reason, origin), '|' ORDER BY id)) AS md5 FROM dead_letter")"
done
