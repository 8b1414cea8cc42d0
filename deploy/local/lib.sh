# shellcheck shell=bash
# Shared code of deploy/local/{up,down,status}: a local Kafka broker (KRaft,
# single node) and an Apicurio schema registry, both plain JVM processes, no
# Docker. Sourced by those scripts, not run on its own.

# ---------------------------------------------------------------- settings --

LOCAL_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO_ROOT="$(cd "$LOCAL_DIR/../.." && pwd)"

KAFKA_PORT="${BMP_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${BMP_KAFKA_CONTROLLER_PORT:-9093}"
REGISTRY_PORT="${BMP_REGISTRY_PORT:-8081}"
# Quarkus also opens a management port (health, metrics). Deriving it from the
# registry port keeps two stacks with different BMP_REGISTRY_PORT apart.
if [[ "$REGISTRY_PORT" =~ ^[0-9]+$ ]]; then
  REGISTRY_MGMT_PORT="${BMP_REGISTRY_MGMT_PORT:-$((REGISTRY_PORT + 1000))}"
else
  REGISTRY_MGMT_PORT="${BMP_REGISTRY_MGMT_PORT:-}"
fi
# Optional second Kafka listener with SASL over TLS, for tests of the clients'
# security settings: BMP_KAFKA_SASL_SSL_PORT (its port), BMP_KAFKA_TLS_DIR
# (holding broker.pem: PKCS#8 key + certificate chain, and ca.pem: the CA that
# signed it and any client certificates) and BMP_KAFKA_SASL_USERS
# ("name:password,..."; each user gets PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512).
KAFKA_SASL_SSL_PORT="${BMP_KAFKA_SASL_SSL_PORT:-}"
KAFKA_TLS_DIR="${BMP_KAFKA_TLS_DIR:-}"
KAFKA_SASL_USERS="${BMP_KAFKA_SASL_USERS:-}"
if [[ -n "$KAFKA_SASL_SSL_PORT" ]]; then
  for _f in broker.pem ca.pem; do
    if [[ ! -f "$KAFKA_TLS_DIR/$_f" ]]; then
      printf 'error: BMP_KAFKA_SASL_SSL_PORT needs BMP_KAFKA_TLS_DIR with %s (not found in "%s")\n' "$_f" "$KAFKA_TLS_DIR" >&2
      exit 1
    fi
  done
  if ! [[ "$KAFKA_SASL_USERS" =~ ^[A-Za-z0-9._-]+:[^,\"]+(,[A-Za-z0-9._-]+:[^,\"]+)*$ ]]; then
    printf 'error: BMP_KAFKA_SASL_USERS must be "name:password[,name:password...]"\n' >&2
    exit 1
  fi
  unset _f
fi
START_TIMEOUT="${BMP_START_TIMEOUT:-120}"   # seconds, per service
STOP_TIMEOUT="${BMP_STOP_TIMEOUT:-30}"      # seconds before SIGKILL
KAFKA_HEAP="${BMP_KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
REGISTRY_HEAP="${BMP_REGISTRY_HEAP_OPTS:--Xms128m -Xmx512m}"

for _port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$REGISTRY_PORT" "$REGISTRY_MGMT_PORT" ${KAFKA_SASL_SSL_PORT:+"$KAFKA_SASL_SSL_PORT"}; do
  if ! [[ "$_port" =~ ^[0-9]+$ ]] || ((_port < 1 || _port > 65535)); then
    printf 'error: not a TCP port: %s (check the BMP_*_PORT variables)\n' "$_port" >&2
    exit 1
  fi
done
unset _port

KAFKA_POM="$LOCAL_DIR/kafka/pom.xml"
REGISTRY_POM="$LOCAL_DIR/registry/pom.xml"

# pom_property POM NAME: the value of <NAME>...</NAME> in POM.
pom_property() {
  sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "$1" | head -n 1
}
KAFKA_VERSION="$(pom_property "$KAFKA_POM" kafka.version)"
APICURIO_VERSION="${BMP_APICURIO_VERSION:-$(pom_property "$REGISTRY_POM" apicurio.version)}"

KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT"
CCOMPAT_URL="$REGISTRY_URL/apis/ccompat/v7"

# The stack folder; absolute, so the paths stay right whatever the cwd.
STACK_DIR="${BMP_STACK_DIR:-$REPO_ROOT/.local-stack}"
mkdir -p "$STACK_DIR"
STACK_DIR="$(cd "$STACK_DIR" && pwd)"
KAFKA_DIST="$STACK_DIR/kafka"          # lib/ = the broker's jars
REGISTRY_DIST="$STACK_DIR/registry"    # app/ = the unpacked registry
CONF_DIR="$STACK_DIR/conf"             # generated config files
DATA_DIR="$STACK_DIR/data"             # wiped by `down`
LOG_DIR="$STACK_DIR/logs"
RUN_DIR="$STACK_DIR/run"               # PID files, lock

# ----------------------------------------------------------------- helpers --

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# show_log_tail FILE: the end of a log, to stderr, after a failure.
show_log_tail() {
  [[ -s "$1" ]] || return 0
  printf -- '--- last lines of %s ---\n' "$1" >&2
  tail -n 25 "$1" >&2
  printf -- '---\n' >&2
}

ensure_dirs() {
  mkdir -p "$KAFKA_DIST" "$REGISTRY_DIST" "$CONF_DIR" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"
}

# with_lock: serialise up and down on this stack folder, so two test
# processes calling `up` at once do not start two brokers.
with_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$RUN_DIR/lock"
  if ! flock -w "$((START_TIMEOUT * 2 + 60))" 9; then
    die "another deploy/local command holds $RUN_DIR/lock"
  fi
}

require_curl() {
  command -v curl >/dev/null 2>&1 || die "curl is needed (apt-get install curl)"
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    die "Maven (mvn) is needed to fetch Kafka and the registry from Maven Central (apt-get install maven)"
}

# java_major JAVA: the major version of that java binary (8, 17, 21, ...).
java_major() {
  local v
  v="$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
  v="${v#1.}"             # 1.8.0_402 -> 8.0_402
  printf '%s\n' "${v%%[!0-9]*}"
}

# find_java MIN: print a java binary of major version MIN or later. Tried in
# order: $JAVA_HOME, `java` on PATH, then every JDK under /usr/lib/jvm (a
# machine may have a newer JDK installed beside the default one).
find_java() {
  local min="$1" candidate major
  local -a candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for candidate in /usr/lib/jvm/*/bin/java; do candidates+=("$candidate"); done
  for candidate in "${candidates[@]}"; do
    [[ -x "$candidate" ]] || continue
    major="$(java_major "$candidate")"
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= min)); then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# Apicurio 3.1+ is compiled for Java 21; 3.0.x still runs on 17.
registry_min_java() {
  case "$APICURIO_VERSION" in
    2.* | 3.0.*) echo 17 ;;
    *) echo 21 ;;
  esac
}

kafka_java() {
  find_java 17 ||
    die "Java 17 or later is needed for Kafka $KAFKA_VERSION and none was found (JAVA_HOME, PATH, /usr/lib/jvm); install e.g. openjdk-17-jre-headless"
}

registry_java() {
  local min
  min="$(registry_min_java)"
  find_java "$min" ||
    die "Java $min or later is needed for Apicurio Registry $APICURIO_VERSION and none was found (JAVA_HOME, PATH, /usr/lib/jvm); install one and set JAVA_HOME, or run with BMP_APICURIO_VERSION=3.0.9, which runs on Java 17"
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  # shellcheck disable=SC2016  # $1 is for the inner shell
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# curl against the local stack only, never through a proxy from the environment.
local_curl() {
  curl --noproxy '*' --silent --show-error --max-time 5 "$@"
}

# ------------------------------------------------------------- processes --

pid_file() { printf '%s\n' "$RUN_DIR/$1.pid"; }

# Every JVM we start carries -Dbmp.local.service=NAME on its command line, so
# a PID file whose PID was reused by another process is not mistaken for ours.
service_marker() { printf '%s\n' "-Dbmp.local.service=$1"; }

# service_pid NAME: print the PID of service NAME if it was started by these
# scripts and is alive; fail otherwise.
service_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(<"$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  ps -ww -o args= -p "$pid" 2>/dev/null | grep -q -- "$(service_marker "$1") " || return 1
  printf '%s\n' "$pid"
}

# spawn NAME OUTFILE COMMAND...: start COMMAND detached from this shell (own
# session, immune to hangups, stdin closed, output appended to OUTFILE) and
# write its PID file. The inner shell writes its own PID and then execs the
# JVM, so the PID file holds the JVM's PID. Descriptor 9 (the lock) is closed
# so the JVM does not keep holding it.
spawn() {
  local name="$1" out="$2" file
  shift 2
  file="$(pid_file "$name")"
  rm -f "$file"
  # shellcheck disable=SC2016  # $$, $0 and $@ are for the inner shell
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$file" "$@" </dev/null >>"$out" 2>&1 9>&- &
  for _ in $(seq 1 50); do
    [[ -s "$file" ]] && return 0
    sleep 0.1
  done
  die "$name did not start; see $out"
}

# stop_service NAME: SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL.
stop_service() {
  local name="$1" pid waited=0
  if ! pid="$(service_pid "$name")"; then
    if [[ -f "$(pid_file "$name")" ]]; then
      say "$name: not running (removing stale PID file)"
    else
      say "$name: not running"
    fi
    rm -f "$(pid_file "$name")"
    return 0
  fi
  say "$name: stopping (pid $pid)..."
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT * 2)); do
    sleep 0.5
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) still running after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
  fi
  rm -f "$(pid_file "$name")"
  say "$name: stopped"
}

# wait_ready NAME CHECK LOG...: poll the function CHECK until it succeeds;
# fail, showing the ends of the LOGs, if the process dies or START_TIMEOUT
# passes.
wait_ready() {
  local name="$1" check="$2" deadline=$((SECONDS + START_TIMEOUT)) log
  shift 2
  until "$check"; do
    if ! service_pid "$name" >/dev/null; then
      for log in "$@"; do show_log_tail "$log"; done
      die "$name exited during startup; see $*"
    fi
    if ((SECONDS >= deadline)); then
      for log in "$@"; do show_log_tail "$log"; done
      die "$name did not answer within ${START_TIMEOUT}s; see $* (it is left running: deploy/local/down stops it)"
    fi
    sleep 0.5
  done
}

# rotate_logs FILE...: keep the previous run's logs in logs/previous/, so that
# each start begins with fresh files (and the readiness check reads this run's
# log only).
rotate_logs() {
  mkdir -p "$LOG_DIR/previous"
  local f
  for f in "$@"; do
    [[ -e "$f" ]] && mv -f "$f" "$LOG_DIR/previous/"
  done
  return 0
}

# ------------------------------------------------------------------ Kafka --

KAFKA_SERVER_LOG="$LOG_DIR/kafka-server.log"   # written by log4j2 (kafka/log4j2.xml)
KAFKA_OUT="$LOG_DIR/kafka.out"                 # the JVM's own stdout/stderr
KAFKA_PROPERTIES="$CONF_DIR/server.properties"

# The jars are fetched again when the pom changes.
kafka_stamp() {
  printf 'kafka %s %s\n' "$KAFKA_VERSION" "$(sha256sum <"$KAFKA_POM" | cut -c1-16)"
}

fetch_kafka() {
  local stamp_file="$KAFKA_DIST/.fetched" fetch_log="$LOG_DIR/fetch-kafka.out"
  if [[ -f "$stamp_file" && "$(<"$stamp_file")" == "$(kafka_stamp)" ]]; then
    return 0
  fi
  require_mvn
  say "fetching Kafka $KAFKA_VERSION jars from Maven Central..."
  rm -rf "$KAFKA_DIST/lib.tmp"
  if ! mvn -B -q -f "$KAFKA_POM" dependency:copy-dependencies \
    "-Dbmp.lib.dir=$KAFKA_DIST/lib.tmp" >"$fetch_log" 2>&1; then
    show_log_tail "$fetch_log"
    die "could not fetch Kafka $KAFKA_VERSION with Maven; see $fetch_log"
  fi
  rm -rf "${KAFKA_DIST:?}/lib"
  mv "$KAFKA_DIST/lib.tmp" "$KAFKA_DIST/lib"
  kafka_stamp >"$stamp_file"
}

# Single node, both KRaft roles, everything on loopback.
write_kafka_config() {
  cat >"$KAFKA_PROPERTIES" <<EOF
# Generated by deploy/local/up; edits are overwritten on the next start.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
log.dirs=$DATA_DIR/kafka

# One broker: every internal topic with a single replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fewer partitions of the internal topics: a fresh broker is ready for the
# first consumer group / transaction sooner.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1

# Consumers join at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
# The project creates its topics itself.
auto.create.topics.enable=false
num.partitions=1
EOF
  if [[ -n "$KAFKA_SASL_SSL_PORT" ]]; then write_kafka_security_config; fi
}

# The SASL_SSL listener (see BMP_KAFKA_SASL_SSL_PORT above), appended to the
# generated config; its SCRAM users are added when the storage is formatted.
write_kafka_security_config() {
  local plain_users="" entry users
  IFS=',' read -ra users <<<"$KAFKA_SASL_USERS"
  for entry in "${users[@]}"; do
    plain_users+=" user_${entry%%:*}=\"${entry#*:}\""
  done
  sed -i \
    -e "s|^listeners=.*|listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT|" \
    -e "s|^advertised.listeners=.*|advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT|" \
    -e "s|^listener.security.protocol.map=.*|listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL|" \
    "$KAFKA_PROPERTIES"
  cat >>"$KAFKA_PROPERTIES" <<EOF

# SASL over TLS listener for client security tests.
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$plain_users;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$KAFKA_TLS_DIR/broker.pem
listener.name.sasl_ssl.ssl.truststore.type=PEM
listener.name.sasl_ssl.ssl.truststore.location=$KAFKA_TLS_DIR/ca.pem
# Client certificates are checked when sent, not required: SASL authenticates.
listener.name.sasl_ssl.ssl.client.auth=requested
EOF
}

# --add-scram arguments of the storage format for BMP_KAFKA_SASL_USERS.
scram_format_args() {
  local entry mechanism users
  [[ -n "$KAFKA_SASL_SSL_PORT" ]] || return 0
  IFS=',' read -ra users <<<"$KAFKA_SASL_USERS"
  for entry in "${users[@]}"; do
    for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
      printf '%s\n' "--add-scram" "$mechanism=[name=${entry%%:*},password=${entry#*:}]"
    done
  done
}

# Generate a cluster id: 16 random bytes, base64url without padding, the
# format of Kafka's Uuid (what `kafka-storage random-uuid` prints). Like
# Kafka, avoid ids starting with '-': command lines take them for options.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  printf '%s\n' "$id"
}

format_kafka_storage() {
  local java="$1" format_log="$LOG_DIR/kafka-format.out"
  if [[ -f "$DATA_DIR/kafka/meta.properties" ]]; then
    return 0   # kept from a previous run (down --keep-data)
  fi
  mkdir -p "$DATA_DIR/kafka"
  local scram=()
  mapfile -t scram < <(scram_format_args)
  if ! "$java" "-Dlog4j2.configurationFile=$LOCAL_DIR/kafka/tools-log4j2.xml" \
    -cp "$KAFKA_DIST/lib/*" kafka.tools.StorageTool format --standalone \
    --config "$KAFKA_PROPERTIES" "--cluster-id=$(new_cluster_id)" "${scram[@]}" >"$format_log" 2>&1; then
    show_log_tail "$format_log"
    die "formatting the Kafka storage failed; see $format_log"
  fi
}

kafka_ready() {
  port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$KAFKA_SERVER_LOG" 2>/dev/null
}

# start_kafka: start the broker unless it runs; does not wait for it.
start_kafka() {
  local java pid
  if pid="$(service_pid kafka)"; then
    say "Kafka is already running (pid $pid)"
    return 0
  fi
  rm -f "$(pid_file kafka)"
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_open "$port"; then
      die "port $port is in use by a process that deploy/local did not start; stop it or choose other ports (BMP_KAFKA_PORT, BMP_KAFKA_CONTROLLER_PORT)"
    fi
  done
  java="$(kafka_java)"
  fetch_kafka
  write_kafka_config
  format_kafka_storage "$java"
  rotate_logs "$KAFKA_OUT" "$KAFKA_SERVER_LOG"*
  say "starting Kafka $KAFKA_VERSION on $KAFKA_BOOTSTRAP..."
  # shellcheck disable=SC2086  # the heap options are a list of words
  spawn kafka "$KAFKA_OUT" "$java" $KAFKA_HEAP \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -Djava.awt.headless=true \
    "$(service_marker kafka)" \
    "-Dkafka.logs.dir=$LOG_DIR" \
    "-Dlog4j2.configurationFile=$LOCAL_DIR/kafka/log4j2.xml" \
    -cp "$KAFKA_DIST/lib/*" kafka.Kafka "$KAFKA_PROPERTIES"
}

wait_kafka() {
  wait_ready kafka kafka_ready "$KAFKA_OUT" "$KAFKA_SERVER_LOG"
}

# ------------------------------------------------------- schema registry --

REGISTRY_LOG="$LOG_DIR/registry.log"   # Quarkus logs to stdout, kept here

registry_stamp() {
  printf 'apicurio %s %s\n' "$APICURIO_VERSION" "$(sha256sum <"$REGISTRY_POM" | cut -c1-16)"
}

# The launcher of the unpacked app: quarkus-run.jar (3.1+) or, in older
# archives, a single *-runner.jar next to lib/.
registry_jar() {
  local jar
  for jar in "$REGISTRY_DIST/app/quarkus-run.jar" "$REGISTRY_DIST"/app/*-runner.jar; do
    [[ -f "$jar" ]] && { printf '%s\n' "$jar"; return 0; }
  done
  return 1
}

fetch_registry() {
  local stamp_file="$REGISTRY_DIST/.fetched" fetch_log="$LOG_DIR/fetch-registry.out"
  if [[ -f "$stamp_file" && "$(<"$stamp_file")" == "$(registry_stamp)" ]] && registry_jar >/dev/null; then
    return 0
  fi
  require_mvn
  say "fetching Apicurio Registry $APICURIO_VERSION from Maven Central..."
  rm -rf "$REGISTRY_DIST/download" "$REGISTRY_DIST/app.tmp"
  if ! mvn -B -q -f "$REGISTRY_POM" dependency:copy \
    "-Dapicurio.version=$APICURIO_VERSION" \
    "-Dbmp.download.dir=$REGISTRY_DIST/download" >"$fetch_log" 2>&1; then
    show_log_tail "$fetch_log"
    die "could not fetch Apicurio Registry $APICURIO_VERSION with Maven; see $fetch_log"
  fi
  local archive
  archive="$(find "$REGISTRY_DIST/download" -name 'apicurio-registry-app-*.tar.gz' | head -n 1)"
  [[ -n "$archive" ]] || die "Maven did not download the Apicurio archive; see $fetch_log"
  say "unpacking Apicurio Registry $APICURIO_VERSION..."
  mkdir -p "$REGISTRY_DIST/app.tmp"
  tar -xzf "$archive" -C "$REGISTRY_DIST/app.tmp"
  rm -rf "$REGISTRY_DIST/app" "$REGISTRY_DIST/download"   # Maven keeps a copy in ~/.m2
  mv "$REGISTRY_DIST/app.tmp" "$REGISTRY_DIST/app"
  registry_jar >/dev/null || die "no quarkus-run.jar or *-runner.jar in the Apicurio $APICURIO_VERSION archive"
  registry_stamp >"$stamp_file"
}

registry_ready() {
  [[ "$(local_curl -o /dev/null -w '%{http_code}' "$CCOMPAT_URL/subjects" 2>/dev/null)" == 200 ]]
}

start_registry() {
  local java pid jar
  if pid="$(service_pid registry)"; then
    say "schema registry is already running (pid $pid)"
    return 0
  fi
  rm -f "$(pid_file registry)"
  local port
  for port in "$REGISTRY_PORT" "$REGISTRY_MGMT_PORT"; do
    if port_open "$port"; then
      die "port $port is in use by a process that deploy/local did not start; stop it or choose other ports (BMP_REGISTRY_PORT, BMP_REGISTRY_MGMT_PORT)"
    fi
  done
  java="$(registry_java)"
  fetch_registry
  jar="$(registry_jar)"
  rotate_logs "$REGISTRY_LOG"
  say "starting Apicurio Registry $APICURIO_VERSION on $REGISTRY_URL..."
  # Storage is the default in-memory H2 database: every start is empty.
  # shellcheck disable=SC2086  # the heap options are a list of words
  spawn registry "$REGISTRY_LOG" "$java" $REGISTRY_HEAP \
    "$(service_marker registry)" \
    -Dquarkus.http.host=127.0.0.1 \
    "-Dquarkus.http.port=$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 \
    "-Dquarkus.management.port=$REGISTRY_MGMT_PORT" \
    '-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{3.}] (%t) %s%e%n' \
    -jar "$jar"
}

wait_registry() {
  wait_ready registry registry_ready "$REGISTRY_LOG"
}

# Apicurio starts with no global compatibility rule (ccompat reports NONE), so
# any change to a schema would be accepted. Make it behave like a Confluent
# registry's default: BACKWARD.
set_registry_compatibility() {
  local body
  if ! body="$(local_curl --fail -X PUT \
    -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
    --data '{"compatibility":"BACKWARD"}' "$CCOMPAT_URL/config" 2>&1)"; then
    show_log_tail "$REGISTRY_LOG"
    die "could not set the registry's global compatibility to BACKWARD: $body"
  fi
  body="$(local_curl "$CCOMPAT_URL/config" 2>&1 || true)"
  [[ "$body" == *'"BACKWARD"'* ]] ||
    die "the registry's global compatibility is not BACKWARD after setting it: $body"
}
