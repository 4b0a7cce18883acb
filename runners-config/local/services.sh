#!/usr/bin/env bash
# Starts and stops the same Kafka broker (3.9, KRaft) and PostgreSQL 16 the tests use, for manual
# runs, the outbox relay (Debezium) between them, and standalone clusters: Flink 1.19 (a JobManager
# and two TaskManagers) and Spark 3.5 (a master and a worker), each process its own. Everything
# comes from Maven Central on first use; data stays under target/local-services.
#
#   runners-config/local/services.sh start kafka|postgres|kinesis|relay|flink|spark|all
#   runners-config/local/services.sh stop  kafka|postgres|kinesis|relay|flink|spark|all
#   runners-config/local/services.sh flink-run <jar> <arguments>       # as Flink's `flink run`
#   runners-config/local/services.sh spark-submit <spark-submit arguments>
#   runners-config/local/services.sh status
#   runners-config/local/services.sh kafka-produce <topic>     # Kafka's own console producer
#   runners-config/local/services.sh kinesis-produce <stream>  # lines into the Kinesis emulator
#
# Ports: Kafka 9092 (controller 9093), PostgreSQL 5432 (wal_level=logical), Kinesis emulator 4568
# (plain HTTP; TLS on 4567), Flink's REST API and web UI 8081 (submit with
# --flinkMaster=127.0.0.1:8081), Spark's master 7077 (web UI 8080). Override with KAFKA_PORT,
# PG_PORT, KINESIS_PORT, FLINK_PORT and SPARK_PORT. kinesis-produce
# creates a missing stream with KINESIS_SHARDS shards (default 4). The relay publishes the producer
# domains' outbox events from PostgreSQL to Kafka; `./meshflow produce` creates what it reads, so
# run that once first ("all" includes neither the relay nor the clusters).
set -euo pipefail
cd "$(dirname "$0")/../.."
STATE=target/local-services
KAFKA_PORT=${KAFKA_PORT:-9092}
PG_PORT=${PG_PORT:-5432}
KINESIS_PORT=${KINESIS_PORT:-4568}
FLINK_PORT=${FLINK_PORT:-8081}
SPARK_PORT=${SPARK_PORT:-7077}
mkdir -p "$STATE"

test_classpath() {
  if [[ ! -f "$STATE/test.classpath" || pom.xml -nt "$STATE/test.classpath" ]]; then
    echo "services: building the test classpath (first use only)..." >&2
    mvn -q -B test-compile dependency:build-classpath -DincludeScope=test \
      -Dmdep.outputFile="$STATE/test.classpath" >&2
  fi
  echo "target/test-classes:target/classes:$(cat "$STATE/test.classpath")"
}

# A service that runs from released jars of its own (runners-config/local/<name>/pom.xml).
service_classpath() {
  local name=$1
  if [[ ! -f "$STATE/$name.classpath" || runners-config/local/$name/pom.xml -nt "$STATE/$name.classpath" ]]; then
    echo "services: resolving $name (first use only)..." >&2
    mvn -q -B -f runners-config/local/$name/pom.xml dependency:build-classpath \
      -Dmdep.outputFile="$PWD/$STATE/$name.classpath" >&2
    touch "$STATE/$name.classpath"
  fi
  cat "$STATE/$name.classpath"
}
kafka_classpath() { service_classpath kafka-broker; }

start_kinesis() {
  local home=runners-config/local/kinesis
  [[ -d $home/node_modules/kinesis-local ]] || (cd "$home" && npm install --no-audit --no-fund >&2)
  KINESIS_MOCK_PLAIN_PORT=$KINESIS_PORT KINESIS_MOCK_TLS_PORT=$((KINESIS_PORT - 1)) \
    KINESIS_MOCK_CERT_PATH="$PWD/$home/node_modules/kinesis-local/server.json" \
    nohup node "$home/node_modules/kinesis-local/main.js" > "$STATE/kinesis.log" 2>&1 &
  echo $! > "$STATE/kinesis.pid"
  for _ in $(seq 1 60); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$KINESIS_PORT") 2>/dev/null; then
      echo "ready: kinesis://<stream>?endpoint=http://127.0.0.1:$KINESIS_PORT&region=us-east-1" | tee -a "$STATE/kinesis.log"
      return
    fi
    sleep 1
  done
  echo "kinesis did not start; see $STATE/kinesis.log" >&2; exit 1
}

relay_classpath() {
  local home=runners-config/local/cdc-relay
  if [[ ! -f "$STATE/cdc-relay.classpath" || $home/pom.xml -nt "$STATE/cdc-relay.classpath" \
        || $home/src/main/java/dev/meshflow/relay/OutboxRelay.java -nt "$STATE/cdc-relay.classpath" ]]; then
    echo "services: building the relay (first use only)..." >&2
    mvn -q -B -f $home/pom.xml compile dependency:build-classpath \
      -Dmdep.outputFile="$PWD/$STATE/cdc-relay.classpath" >&2
    touch "$STATE/cdc-relay.classpath" # the plugin keeps an unchanged file's old time
  fi
  echo "$home/target/classes:$(cat "$STATE/cdc-relay.classpath")"
}

start_relay() {
  if [[ -f "$STATE/relay.pid" ]] && kill -0 "$(cat "$STATE/relay.pid")" 2>/dev/null; then
    echo "relay: already running (pid $(cat "$STATE/relay.pid"))"; return
  fi
  nohup java -Xmx256m -cp "$(relay_classpath)" dev.meshflow.relay.OutboxRelay \
    --postgres="postgresql://127.0.0.1:$PG_PORT/postgres?user=postgres" \
    --bootstrap="127.0.0.1:$KAFKA_PORT" --state="$STATE/relay" > "$STATE/relay.log" 2>&1 &
  echo $! > "$STATE/relay.pid"
  for _ in $(seq 1 120); do
    if grep -q "^ready:" "$STATE/relay.log" 2>/dev/null; then grep '^ready:' "$STATE/relay.log"; return; fi
    if ! kill -0 "$(cat "$STATE/relay.pid")" 2>/dev/null; then
      echo "relay failed to start; see $STATE/relay.log" >&2; tail -5 "$STATE/relay.log" >&2; exit 1
    fi
    sleep 1
  done
  echo "relay did not report ready in 120 s; see $STATE/relay.log" >&2; exit 1
}

start() {
  local name=$1 port=$2
  if [[ $name == kinesis ]]; then start_kinesis; return; fi
  if [[ $name == relay ]]; then start_relay; return; fi
  if [[ -f "$STATE/$name.pid" ]] && kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then
    echo "$name: already running (pid $(cat "$STATE/$name.pid"))"; return
  fi
  [[ $name == kafka ]] && kafka_classpath > /dev/null
  [[ $name == flink ]] && service_classpath flink-cluster > /dev/null
  [[ $name == spark ]] && service_classpath spark-cluster > /dev/null
  nohup java -cp "$(test_classpath)" dev.meshflow.testing.services.LocalServicesMain \
    "$name" "$port" "$STATE/$name" > "$STATE/$name.log" 2>&1 &
  echo $! > "$STATE/$name.pid"
  for _ in $(seq 1 120); do
    if grep -q "^ready:" "$STATE/$name.log" 2>/dev/null; then grep '^ready:' "$STATE/$name.log"; return; fi
    if ! kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then
      echo "$name failed to start; see $STATE/$name.log" >&2; tail -20 "$STATE/$name.log" >&2; exit 1
    fi
    sleep 1
  done
  echo "$name did not report ready in 120 s; see $STATE/$name.log" >&2; exit 1
}

stop() {
  local name=$1
  if [[ -f "$STATE/$name.pid" ]]; then
    kill "$(cat "$STATE/$name.pid")" 2>/dev/null || true
    rm -f "$STATE/$name.pid"
    echo "$name: stopped"
  else
    echo "$name: not running"
  fi
}

services() { case "${1:-all}" in all) echo kafka postgres kinesis;; kafka|postgres|kinesis|relay|flink|spark) echo "$1";; *) echo "unknown service $1" >&2; exit 2;; esac; }
port_of() { case $1 in kafka) echo "$KAFKA_PORT";; flink) echo "$FLINK_PORT";; spark) echo "$SPARK_PORT";; *) echo "$PG_PORT";; esac; }

case "${1:-}" in
  start) for s in $(services "${2:-all}"); do start "$s" "$(port_of "$s")"; done ;;
  stop) for s in $([[ ${2:-all} == all ]] && echo relay flink spark) $(services "${2:-all}"); do stop "$s"; done ;;
  status)
    for s in kafka postgres kinesis relay flink spark; do
      if [[ -f "$STATE/$s.pid" ]] && kill -0 "$(cat "$STATE/$s.pid")" 2>/dev/null; then
        echo "$s: running (pid $(cat "$STATE/$s.pid")) $(grep '^ready:' "$STATE/$s.log" | cut -d' ' -f2)"
      else echo "$s: stopped"; fi
    done ;;
  kafka-produce)
    exec java -cp "$(kafka_classpath)" kafka.tools.ConsoleProducer \
      --bootstrap-server "127.0.0.1:$KAFKA_PORT" --topic "${2:?topic}" ;;
  flink-run)
    # As Flink's own `flink run -m`: its command-line front end, on the cluster's classpath and config.
    shift
    FLINK_CONF_DIR="$STATE/flink/conf" exec java $(cat runners-config/jvm-flags) \
      -cp "$(service_classpath flink-cluster)" org.apache.flink.client.cli.CliFrontend run \
      -m "127.0.0.1:$FLINK_PORT" "$@" ;;
  spark-submit)
    # As Spark's own spark-submit script: SparkSubmit on the cluster's Spark home.
    shift
    SPARK_HOME="$PWD/$STATE/spark/home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 \
      exec java $(cat runners-config/jvm-flags) -cp "$STATE/spark/home/jars/*" org.apache.spark.deploy.SparkSubmit \
      --master "spark://127.0.0.1:$SPARK_PORT" "$@" ;;
  kinesis-produce)
    exec java -cp "$(test_classpath)" dev.meshflow.testing.services.KinesisProduceMain \
      "http://127.0.0.1:$KINESIS_PORT" "${2:?stream}" "${KINESIS_SHARDS:-4}" ;;
  *) sed -n '2,22p' "$0"; exit 2 ;;
esac
