#!/usr/bin/env bash
# How long an alerting node takes to rebuild the patients of the readings partitions it is given, at county scale.
# Seeds a county into a fresh node's embedded PostgreSQL (county-registry-seed.sql, county-chronic-seed.sql and
# county-readings-seed.sql: 100,000 patients, 60,000 of them with care plans expecting measurements, and their last
# 16 days of home blood pressures), then starts on it in cluster mode, with one real KRaft broker (the cluster
# module's test broker, org.vigil.cluster.testing.KafkaMain): node A alone (it is given all 48 partitions and
# rebuilds every patient expecting measurements), then node B joining (the group moves half the partitions to it,
# which rebuilds theirs), then node B killed with SIGKILL (once the group's session times out, A takes B's partitions
# back and rebuilds their patients, as a survivor would). Prints each rebuild as the node's log reports it, and the
# CPU of the nodes and of PostgreSQL.
# Usage: rebuild.sh   Run from the repository root after `mvn -q package -DskipTests` and
# `mvn -q -pl cluster -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test`.
# Loopback only; every process has a time limit, the script stops what it started and deletes its data.
set -euo pipefail
jar=deploy/target/vigil-server.jar; kcp=cluster/target/test-classes:$(cat cluster/target/cp.txt)
limit=${LIMIT:-1800}; hz=$(getconf CLK_TCK); work=$(mktemp -d); started=()
. "$(dirname "$0")/procs.sh"   # cleanup on exit, child, ticks, pg_ticks, stop_node, start_broker
node() { # name index [env...]: starts a node and prints its pid once it is ready
  local name=$1 i=$2; shift 2
  env VIGIL_DATA_DIR="$work/$name" VIGIL_HTTP_HOST=127.0.0.1 VIGIL_HTTP_PORT=$((18380 + i)) VIGIL_MQTT_HOST=127.0.0.1 \
      VIGIL_MQTT_PORT=$((11780 + i)) VIGIL_NODE_ID="$name" "$@" timeout "$limit" java -Xmx1g ${NODE_JVM_OPTS:-} -jar "$jar" \
      >> "$work/$name.log" 2>&1 &
  echo $! >> "$work/pids"; local pid; pid=$(child $!); echo "$pid" >> "$work/pids"
  for _ in $(seq 1 300); do grep -q "Vigil ready" "$work/$name.log" && { echo "$pid"; return; }; sleep 1; done
  echo "node $name did not start; see $work/$name.log" >&2; exit 1
}
# Patients the node (by index) rebuilt from their whole history and from the engine state saved for them.
sources() { curl -s --max-time 5 "127.0.0.1:$((18380 + $1))/metrics" | awk '/^vigil_alerts_patients_rebuilt_total/ {
  v = $NF; sub(/.*from="/, ""); sub(/".*/, ""); printf "%s %.0f ", $0, v }'; }
# Waits until the node's log reports an assignment, then prints it.
assigned() { for _ in $(seq 1 "$limit"); do grep -q 'Evaluating partitions' "$work/$1.log" && break; sleep 1; done
  grep -o 'rebuilding [0-9]* patients\|owned: [0-9]*, took: [0-9]* ms' "$work/$1.log" | tr '\n' ' '; echo; }

echo "$(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
a=$(node a 0)
pg=$(grep -m1 'Embedded PostgreSQL' "$work/a.log" | grep -o 'port: [0-9]*' | tr -dc 0-9)
export PGPASSWORD; PGPASSWORD=$(cat "$work/a/postgres-password")
s=$(date +%s)
for f in county-registry-seed county-chronic-seed county-readings-seed; do
  psql -q -h 127.0.0.1 -p "$pg" -U postgres -d vigil -v ON_ERROR_STOP=1 -f "docs/bench/$f.sql" > /dev/null
done
echo "seeded in $(($(date +%s) - s)) s: $(psql -qtA -h 127.0.0.1 -p "$pg" -U postgres -d vigil -c \
  "SELECT count(*) || ' patients, ' || (SELECT count(*) FROM reading) || ' readings' FROM patient")"
stop_node "$a"
start_broker
kenv=(VIGIL_KAFKA_BOOTSTRAP_SERVERS="$bootstrap" VIGIL_KAFKA_REPLICATION=1 VIGIL_KAFKA_TOPIC_PREFIX=rebuild.)

: > "$work/a.log"; s=$(date +%s%3N)
a=$(node a 0 "${kenv[@]}"); echo "node A ready after $(($(date +%s%3N) - s)) ms"
pg=$(grep -m1 'Embedded PostgreSQL' "$work/a.log" | grep -o 'port: [0-9]*' | tr -dc 0-9)   # a new port each start
echo "node A alone: $(assigned a)"
echo "  CPU while A started and rebuilt: A $(awk -v t="$(ticks "$a")" -v h="$hz" 'BEGIN {printf "%.1f", t / h}') s"
b0=$(($(ticks "$a"))); p0=$(pg_ticks)
b=$(node b 1 "${kenv[@]}" VIGIL_ADMIN_TOKEN="$(cat "$work/a/admin-token")" \
    VIGIL_DB_URL="jdbc:postgresql://127.0.0.1:$pg/vigil" VIGIL_DB_USER=postgres VIGIL_DB_PASSWORD="$PGPASSWORD")
echo "node B joining: $(assigned b)"
echo "  rebuilt from: B $(sources 1)"
echo "  CPU while B joined and rebuilt: B $(awk -v t="$(ticks "$b")" -v h="$hz" 'BEGIN {printf "%.1f", t / h}') s," \
    "A $(awk -v t=$(($(ticks "$a") - b0)) -v h="$hz" 'BEGIN {printf "%.1f", t / h}') s," \
    "PostgreSQL $(awk -v t=$(($(pg_ticks) - p0)) -v h="$hz" 'BEGIN {printf "%.1f", t / h}') s"
# B dies: once the group's session times out, A takes B's partitions back and rebuilds their patients, warm.
kill -KILL "$b"; killed=$(date +%s%3N); p0=$(pg_ticks); a0=$(ticks "$a")
for _ in $(seq 1 120); do [ "$(grep -c 'Evaluating partitions' "$work/a.log")" -ge 2 ] && break; sleep 1; done
echo "node B killed; node A takes its partitions back $(($(date +%s%3N) - killed)) ms after the kill (polled each second):" \
    "$(grep 'rebuilding [0-9]* patients\|Evaluating partitions' "$work/a.log" | tail -2 \
       | grep -o 'rebuilding [0-9]* patients\|owned: [0-9]*, took: [0-9]* ms' | tr '\n' ' ')"
echo "  rebuilt from (since A started): A $(sources 0)"
echo "  CPU from the kill on: A $(awk -v t=$(($(ticks "$a") - a0)) -v h="$hz" 'BEGIN {printf "%.1f", t / h}') s," \
    "PostgreSQL $(awk -v t=$(($(pg_ticks) - p0)) -v h="$hz" 'BEGIN {printf "%.1f", t / h}') s"
