#!/usr/bin/env bash
# Local Kafka (single-node KRaft broker) and schema registry, without Docker: JDK 17 and Maven only.
# Jars come from Maven (modules ops/kafka-broker and ops/registry-server); pid files, logs and data live under
# ops/run/ (git-ignored). Both bind to 127.0.0.1. `ops/local.sh --help` for commands and settings.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOST=127.0.0.1
KAFKA_PORT="${LINGUAFLOW_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${LINGUAFLOW_CONTROLLER_PORT:-9093}"
REGISTRY_PORT="${LINGUAFLOW_REGISTRY_PORT:-8081}"
PARTITIONS="${LINGUAFLOW_PARTITIONS:-3}"
RUN="${LINGUAFLOW_RUN_DIR:-$ROOT/ops/run}"
[[ "$RUN" == /* ]] || RUN="$PWD/$RUN"
READY_TIMEOUT="${LINGUAFLOW_READY_TIMEOUT:-90}"
KAFKA_HEAP="${LINGUAFLOW_KAFKA_HEAP:-512m}"
KAFKA_EXTRA_CONFIG="${LINGUAFLOW_KAFKA_EXTRA_CONFIG:-}"

BROKER_CP_FILE="$ROOT/ops/kafka-broker/target/classpath.txt"
REGISTRY_CP_FILE="$ROOT/ops/registry-server/target/classpath.txt"
REGISTRY_CONFIG="$ROOT/ops/registry-server/registry.yaml"
REGISTRY_API=/api/v1/confluent
STAMP="$ROOT/ops/kafka-broker/target/.built"
# Every process started here carries "-D$MARKER=<service>:<run dir>", so a stray one is found even without its
# pid file, and two run directories (two checkouts, or a test's own) never touch each other's processes.
MARKER="linguaflow.local"

usage() {
  cat <<EOF
usage: ops/local.sh COMMAND [SERVICE]

Commands:
  start  [broker|registry]  start both (default) or one; waits until ready; does nothing if already running
  stop   [broker|registry]  stop both (default) or one; waits until the processes are gone
  status                    say what runs where (exit 0 when both run, 3 otherwise)
  topics [--partitions N]   create the missing project topics on the local broker (default N: $PARTITIONS)
  clean                     stop both and delete $RUN (all broker data)
  help                      this text; 'ops/local.sh COMMAND --help' explains one command

Settings (environment):
  LINGUAFLOW_KAFKA_PORT       broker listener                     (default 9092, now $KAFKA_PORT)
  LINGUAFLOW_CONTROLLER_PORT  KRaft controller listener           (default 9093, now $CONTROLLER_PORT)
  LINGUAFLOW_REGISTRY_PORT    schema registry HTTP port           (default 8081, now $REGISTRY_PORT)
  LINGUAFLOW_PARTITIONS       partitions of newly created topics  (default 3)
  LINGUAFLOW_TOPIC_PREFIX     prefix of every topic name          (default none)
  LINGUAFLOW_RUN_DIR          pid files, logs, broker data        (default ops/run)
  LINGUAFLOW_READY_TIMEOUT    seconds to wait for readiness       (default 90)
  LINGUAFLOW_KAFKA_HEAP       broker -Xmx                         (default 512m)
  LINGUAFLOW_KAFKA_EXTRA_CONFIG  broker properties file appended to server.properties (a key repeated there
                              wins), e.g. a TLS listener beside the PLAINTEXT one (default none)

Broker ports and the extra config are fixed when its storage is first formatted; to change them run 'ops/local.sh clean' first.
The registry speaks the Confluent REST API at http://$HOST:<port>$REGISTRY_API (schema.registry.url).
EOF
}

command_help() {
  case "$1" in
    start)  echo "usage: ops/local.sh start [broker|registry]  - start (idempotent) and wait until ready" ;;
    stop)   echo "usage: ops/local.sh stop [broker|registry]   - stop and verify nothing of it is left running" ;;
    status) echo "usage: ops/local.sh status                   - pid and address of each service; exit 3 unless both run" ;;
    topics) echo "usage: ops/local.sh topics [--partitions N]  - create missing project topics (LINGUAFLOW_TOPIC_PREFIX applies)" ;;
    clean)  echo "usage: ops/local.sh clean                    - stop both and delete $RUN" ;;
  esac
}

die() { echo "local.sh: $*" >&2; exit 1; }

# Build the two classpath files (and the schemas jar they name) on first use or when sources changed.
# LINGUAFLOW_NO_BUILD=1 uses them as they are (tests run inside the Maven build that just made them).
ensure_built() {
  if [[ "${LINGUAFLOW_NO_BUILD:-}" == 1 ]]; then
    [[ -f "$BROKER_CP_FILE" && -f "$REGISTRY_CP_FILE" ]] || die "LINGUAFLOW_NO_BUILD=1 but $BROKER_CP_FILE or $REGISTRY_CP_FILE is missing"
    return
  fi
  if [[ -f "$BROKER_CP_FILE" && -f "$REGISTRY_CP_FILE" && -f "$STAMP" && -z "$(find "$ROOT/pom.xml" "$ROOT/schemas" \
        "$ROOT/ops/kafka-broker" "$ROOT/ops/registry-server" -path '*/target' -prune -o \
        \( -name '*.java' -o -name '*.avsc' -o -name 'pom.xml' \) -newer "$STAMP" -print -quit)" ]]; then
    return
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to resolve the broker and registry jars"
  echo "local.sh: building the broker and registry classpaths (first use or sources changed)..." >&2
  (cd "$ROOT" && MAVEN_OPTS="-Djansi.passthrough=true" mvn -B -q -DskipTests -pl ops/kafka-broker,ops/registry-server -am package >&2)
  touch "$STAMP"
}

pid_file() { echo "$RUN/$1.pid"; }

# The pid of a running service started from this checkout, or nothing.
running_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "-D$MARKER=$1:$RUN "; then
    echo "$pid"
  fi
}

# Pids of every process of the service from this checkout, pid file or not.
all_pids() {
  local p
  for p in /proc/[0-9]*; do
    if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "-D$MARKER=$1:$RUN "; then
      echo "${p#/proc/}"
    fi
  done
}

port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

java_tool() {
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$(cat "$BROKER_CP_FILE")" io.linguaflow.schemas.admin.TopicAdmin "$@"
}

# The PLAINTEXT listener's port (the readiness check and 'topics' use it); the last listeners line wins, as in Kafka.
broker_port() { grep '^listeners=' "$RUN/kafka/server.properties" | tail -n 1 | sed -n 's/.*PLAINTEXT:\/\/[^:,]*:\([0-9]*\).*/\1/p'; }

write_broker_config() {
  mkdir -p "$RUN/kafka"
  cat >"$RUN/kafka/server.properties" <<EOF
# Written by ops/local.sh when the storage was formatted. Single node: broker and KRaft controller in one process.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$RUN/kafka/data
num.partitions=$PARTITIONS
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  if [[ -n "$KAFKA_EXTRA_CONFIG" ]]; then
    [[ -f "$KAFKA_EXTRA_CONFIG" ]] || die "LINGUAFLOW_KAFKA_EXTRA_CONFIG=$KAFKA_EXTRA_CONFIG is not a file"
    { echo "# From LINGUAFLOW_KAFKA_EXTRA_CONFIG=$KAFKA_EXTRA_CONFIG (a key repeated here wins)"; cat "$KAFKA_EXTRA_CONFIG"; } \
      >>"$RUN/kafka/server.properties"
    [[ -n "$(broker_port)" ]] || die "the listeners of LINGUAFLOW_KAFKA_EXTRA_CONFIG=$KAFKA_EXTRA_CONFIG must keep a PLAINTEXT one (readiness checks use it)"
  fi
}

start_broker() {
  local pid cp port t0
  pid="$(running_pid broker)"
  if [[ -n "$pid" ]]; then
    echo "broker already running (pid $pid) at $HOST:$(broker_port)"
    return
  fi
  cp="$(cat "$BROKER_CP_FILE")"
  if [[ ! -f "$RUN/kafka/data/meta.properties" ]]; then
    write_broker_config
    java -cp "$cp" kafka.tools.StorageTool format --standalone -c "$RUN/kafka/server.properties" \
      -t "$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" >"$RUN/kafka/format.log" 2>&1 \
      || die "formatting the broker storage failed; see $RUN/kafka/format.log"
  fi
  port="$(broker_port)"
  [[ "$port" == "$KAFKA_PORT" ]] || echo "local.sh: note: the broker keeps port $port it was formatted with (LINGUAFLOW_KAFKA_PORT=$KAFKA_PORT ignored; 'clean' to change)" >&2
  port_busy "$port" && die "port $port on $HOST is taken by another process; set LINGUAFLOW_KAFKA_PORT and run 'ops/local.sh clean'"
  t0=$(date +%s%N)
  nohup java -Xmx"$KAFKA_HEAP" "-D$MARKER=broker:$RUN" -Dorg.slf4j.simpleLogger.showDateTime=true \
    -cp "$cp" kafka.Kafka "$RUN/kafka/server.properties" >>"$RUN/kafka/broker.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pid_file broker)"
  if ! java_tool wait --bootstrap "$HOST:$port" --timeout-s "$READY_TIMEOUT" >/dev/null 2>&1 || ! kill -0 "$pid" 2>/dev/null; then
    tail -n 30 "$RUN/kafka/broker.log" >&2
    stop_service broker
    die "broker did not become ready at $HOST:$port within ${READY_TIMEOUT}s (log: $RUN/kafka/broker.log)"
  fi
  echo "broker started (pid $pid) at $HOST:$port in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

registry_ready() {
  local status
  status="$( (exec 3<>"/dev/tcp/$HOST/$REGISTRY_PORT" && printf 'GET %s/subjects HTTP/1.0\r\nHost: %s\r\n\r\n' "$REGISTRY_API" "$HOST" >&3 && head -n 1 <&3) 2>/dev/null || true)"
  [[ "$status" == *" 200"* ]]
}

start_registry() {
  local pid t0 deadline
  pid="$(running_pid registry)"
  if [[ -n "$pid" ]]; then
    echo "registry already running (pid $pid) at http://$HOST:$REGISTRY_PORT$REGISTRY_API"
    return
  fi
  port_busy "$REGISTRY_PORT" && die "port $REGISTRY_PORT on $HOST is taken by another process; set LINGUAFLOW_REGISTRY_PORT"
  mkdir -p "$RUN/registry"
  t0=$(date +%s%N)
  # Same command as io.linguaflow.ops.registry.RegistryServerProcess (used by the tests and `linguaflow pipeline`).
  nohup java -Xmx256m "-D$MARKER=registry:$RUN" -cp "$(cat "$REGISTRY_CP_FILE")" \
    "-Ddw.server.applicationConnectors[0].bindHost=$HOST" "-Ddw.server.applicationConnectors[0].port=$REGISTRY_PORT" \
    "-Ddw.server.adminConnectors[0].bindHost=$HOST" "-Ddw.server.adminConnectors[0].port=0" \
    "-Ddw.fileStorageConfiguration.properties.directory=$RUN/registry/jars" \
    com.hortonworks.registries.webservice.RegistryApplication server "$REGISTRY_CONFIG" \
    >>"$RUN/registry/registry.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pid_file registry)"
  deadline=$(( $(date +%s) + READY_TIMEOUT ))
  until registry_ready; do
    if ! kill -0 "$pid" 2>/dev/null || (( $(date +%s) >= deadline )); then
      tail -n 30 "$RUN/registry/registry.log" >&2
      stop_service registry
      die "registry did not become ready at http://$HOST:$REGISTRY_PORT$REGISTRY_API within ${READY_TIMEOUT}s (log: $RUN/registry/registry.log)"
    fi
    sleep 0.2
  done
  echo "registry started (pid $pid) at http://$HOST:$REGISTRY_PORT$REGISTRY_API in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

# SIGTERM every process of the service (pid file and strays), wait up to 30 s, then SIGKILL what is left.
stop_service() {
  local pids pid i
  pids="$( (cat "$(pid_file "$1")" 2>/dev/null; all_pids "$1") | sort -u | while read -r p; do
            [[ -n "$p" ]] && tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF -- "-D$MARKER=$1:$RUN " && echo "$p"; done || true)"
  if [[ -z "$pids" ]]; then
    rm -f "$(pid_file "$1")"
    echo "$1 not running"
    return
  fi
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 300; i++)); do
    [[ -z "$(all_pids "$1")" ]] && break
    sleep 0.1
  done
  for pid in $(all_pids "$1"); do
    echo "local.sh: $1 pid $pid ignored SIGTERM for 30 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  done
  for ((i = 0; i < 50; i++)); do [[ -z "$(all_pids "$1")" ]] && break; sleep 0.1; done
  [[ -z "$(all_pids "$1")" ]] || die "$1 still running: pid(s) $(all_pids "$1" | tr '\n' ' ')"
  rm -f "$(pid_file "$1")"
  echo "$1 stopped (pid $(echo $pids | tr ' ' ','))"
}

status() {
  local pid rc=0
  pid="$(running_pid broker)"
  if [[ -n "$pid" ]]; then echo "broker:   running (pid $pid), bootstrap.servers=$HOST:$(broker_port)"
  else echo "broker:   stopped"; rc=3; fi
  pid="$(running_pid registry)"
  if [[ -n "$pid" ]]; then
    if registry_ready; then echo "registry: running (pid $pid), schema.registry.url=http://$HOST:$REGISTRY_PORT$REGISTRY_API"
    else echo "registry: process $pid up but not answering at http://$HOST:$REGISTRY_PORT$REGISTRY_API"; rc=3; fi
  else echo "registry: stopped"; rc=3; fi
  echo "logs:     $RUN/kafka/broker.log, $RUN/registry/registry.log"
  return $rc
}

create_topics() {
  local partitions="$PARTITIONS"
  while (($#)); do
    case "$1" in
      --partitions) [[ $# -ge 2 ]] || die "--partitions needs a number"; partitions="$2"; shift 2 ;;
      *) die "unknown option '$1' for topics" ;;
    esac
  done
  [[ -n "$(running_pid broker)" ]] || die "the broker is not running; 'ops/local.sh start' first"
  java_tool create --bootstrap "$HOST:$(broker_port)" --partitions "$partitions" --timeout-s "$READY_TIMEOUT"
}

services() {
  case "${1:-}" in
    "") echo "broker registry" ;;
    broker | registry) echo "$1" ;;
    *) die "unknown service '$1' (broker or registry)" ;;
  esac
}

# Runs start/stop for the given services side by side; fails when any of them fails.
each() {
  local services=() action pids=() rc=0 s
  while [[ "$1" != "--" ]]; do services+=("$1"); shift; done
  action="$2"
  for s in "${services[@]}"; do
    if [[ "$action" == start ]]; then "start_$s" & else stop_service "$s" & fi
    pids+=($!)
  done
  for s in "${pids[@]}"; do wait "$s" || rc=1; done
  return $rc
}

cmd="${1:-help}"
shift || true
if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  command_help "$cmd"
  exit 0
fi
case "$cmd" in
  start)
    chosen="$(services "${1:-}")"
    ensure_built
    mkdir -p "$RUN"
    each $chosen -- start
    ;;
  stop)
    chosen="$(services "${1:-}")"
    each $chosen -- stop
    ;;
  status)
    status
    ;;
  topics)
    ensure_built
    create_topics "$@"
    ;;
  clean)
    stop_service broker
    stop_service registry
    rm -rf "$RUN"
    echo "removed $RUN"
    ;;
  help | --help | -h)
    usage
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac
