#!/usr/bin/env bash
# How late a patient's alert is when her state must first be rebuilt from a wearer's history: what a node given a
# dead node's partitions meets on the first record of each wearer. Provisions WEARERS patients through a node's API
# (glucometers, by the simulator), seeds each with DAYS of heart rate and SpO2 a minute (a wearable's stream, 2,880
# readings a day), restarts the node in cluster mode on one real KRaft broker (the cluster module's test broker,
# org.vigil.cluster.testing.KafkaMain), so that it holds none of them, and then has every device send one reading a
# second, with CRISES of them turning into a severe hypoglycaemia after 2 s. Every patient's first record makes the
# node read her history and replay it before her readings are evaluated. Prints, second by second, the patients
# rebuilt and the evaluator's lag; then how long until all were rebuilt and the lag was back to zero, each crisis's
# publish-to-alert latency (from the simulator, which reads the alert from the node's live feed), and the CPU of the
# node and of PostgreSQL over that time.
# With SAVED=1 the node first runs the devices for WARM seconds (default 40: every wearer rebuilt from her history once)
# with its engine state saved every 5 s, then is killed (SIGKILL, with its PostgreSQL) and started again: what is
# measured is then a node taking over wearers whose state was saved, as after a failover in a cluster.
# With SINGLE=1 the node runs without Kafka (the embedded default): with SAVED=1 as well, what is measured is a
# single node's restart after a power cut, resuming its own wearers from the state it saved.
# Usage: wearers.sh [wearers] [days] [seconds]    e.g. wearers.sh 200 16 60; SAVED=1 wearers.sh 200 16 60
# Run from the repository root after `mvn -q package -DskipTests` and
# `mvn -q -pl cluster -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test`.
# Loopback only; every process has a time limit, the script stops what it started and deletes its data.
set -euo pipefail
wearers=${1:-200}; days=${2:-16}; seconds=${3:-60}; crises=${CRISES:-12}
jar=deploy/target/vigil-server.jar; sim=simulator/target/vigil-simulator.jar
kcp=cluster/target/test-classes:$(cat cluster/target/cp.txt)
http=18480; mqtt=11880; limit=$((seconds * 4 + 1200)); hz=$(getconf CLK_TCK); work=$(mktemp -d); started=()
. "$(dirname "$0")/procs.sh"   # cleanup on exit, child, ticks, pg_ticks, stop_node, start_broker
metric() { curl -s --max-time 5 "127.0.0.1:$http/metrics" | awk -v m="$1" '$1 ~ "^"m {s+=$NF} END {printf "%.0f", s}'; }
node() { # [env...]: starts node A on its data directory and prints its pid once it is ready
  env VIGIL_DATA_DIR="$work/a" VIGIL_HTTP_HOST=127.0.0.1 VIGIL_HTTP_PORT=$http VIGIL_MQTT_HOST=127.0.0.1 \
      VIGIL_MQTT_PORT=$mqtt VIGIL_NODE_ID=a "$@" timeout "$limit" java -Xmx2g ${NODE_JVM_OPTS:-} -jar "$jar" >> "$work/a.log" 2>&1 &
  echo $! >> "$work/pids"; local pid; pid=$(child $!); echo "$pid" >> "$work/pids"
  for _ in $(seq 1 300); do grep -q "Vigil ready" "$work/a.log" && { echo "$pid"; return; }; sleep 1; done
  echo "node A did not start; see $work/a.log" >&2; exit 1
}
simulate() { # seconds [options...]
  local secs=$1; shift
  timeout "$limit" java -jar "$sim" --token "$token" --api "http://127.0.0.1:$http" --mqtt-port $mqtt --client vertx \
      --devices "$wearers" --prefix w --mix diabetes=1 --comorbidity 0 --devices-file "$work/devices.csv" \
      --rate "$wearers" --duration "${secs}s" --report-dir "$work/report" "$@"
}

echo "$(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $wearers wearers, $days days each"
a=$(node); token=$(cat "$work/a/admin-token")
simulate 3 > "$work/provision.log" 2>&1 || true   # provisions the patients and their devices
pg=$(grep -m1 'Embedded PostgreSQL' "$work/a.log" | grep -o 'port: [0-9]*' | tr -dc 0-9)
export PGPASSWORD; PGPASSWORD=$(cat "$work/a/postgres-password")
s=$(date +%s)
psql -q -h 127.0.0.1 -p "$pg" -U postgres -d vigil -v ON_ERROR_STOP=1 <<SQL
INSERT INTO reading (patient_id, metric, ts, device_id, value)
SELECT d.patient_id, m.code, t, d.device_id, CASE m.code WHEN 3 THEN 64 + (extract(minute FROM t)::int % 17)
       ELSE 96 + d.device_id % 3 END
  FROM device_binding d
 CROSS JOIN generate_series(now() - interval '$days days', now() - interval '10 minutes', interval '1 minute') AS t
 CROSS JOIN (VALUES (3), (5)) AS m(code);
ANALYZE reading;
SQL
echo "seeded in $(($(date +%s) - s)) s: $(psql -qtA -h 127.0.0.1 -p "$pg" -U postgres -d vigil -c \
  "SELECT count(DISTINCT patient_id) || ' patients, ' || count(*) || ' readings' FROM reading")"
stop_node "$a"
if [ -n "${SINGLE:-}" ]; then
  cluster=(VIGIL_ENGINE_STATE_SAVE=5s)
else
  start_broker
  cluster=(VIGIL_KAFKA_BOOTSTRAP_SERVERS="$bootstrap" VIGIL_KAFKA_REPLICATION=1 VIGIL_KAFKA_TOPIC_PREFIX=wearers.
           VIGIL_ENGINE_STATE_SAVE=5s VIGIL_KAFKA_SESSION_TIMEOUT=6s)
fi
: > "$work/a.log"
a=$(node "${cluster[@]}")
for _ in $(seq 1 180); do curl -sf -o /dev/null "127.0.0.1:$http/health" && break; sleep 1; done
# Without Kafka the stop above saved the state of the patients provisioning loaded, which holds none of the seeded
# readings: gone, so that every wearer is first rebuilt from her whole history.
pg=$(grep 'Embedded PostgreSQL' "$work/a.log" | tail -1 | grep -o 'port: [0-9]*' | tr -dc 0-9)
psql -q -h 127.0.0.1 -p "$pg" -U postgres -d vigil -c "DELETE FROM alert_engine_state"
if [ -n "${SAVED:-}" ]; then
  simulate "${WARM:-40}" > "$work/warm.log" 2>&1 || true
  for _ in $(seq 1 60); do [ "$(metric vigil_alerts_engine_states_saved_total)" -ge "$wearers" ] && break; sleep 1; done
  echo "state saved: $(metric vigil_alerts_engine_states_saved_total) patients, $(metric \
    vigil_alerts_engine_state_bytes_saved_total) bytes; killing the node and its PostgreSQL"
  kill -9 "$a"; for p in $(pgrep -f "$work/a/postgres-binaries/" || true); do kill -9 "$p" 2> /dev/null || true; done
  sleep 2; : > "$work/a.log"
  a=$(node "${cluster[@]}")
  for _ in $(seq 1 180); do curl -sf -o /dev/null "127.0.0.1:$http/health" && break; sleep 1; done
fi
pg=$(grep 'Embedded PostgreSQL' "$work/a.log" | tail -1 | grep -o 'port: [0-9]*' | tr -dc 0-9)

# Counted from the node's start: after a kill, records the dead node had not committed come again at once, and their
# patients are loaded before the devices start.
r0=0; a0=$(ticks "$a"); p0=$(pg_ticks); t0=$(date +%s%3N)
simulate "$seconds" --scenarios "severe_hypoglycaemia:$crises" --scenario-at 2s --alert-wait 120s \
    > "$work/sim.log" 2>&1 &
simpid=$!; started+=($simpid)
echo "s-after-start patients-rebuilt evaluator-lag"
all=""; drained=""
for i in $(seq 1 $((seconds + 120))); do
  sleep 1
  rebuilt=$(($(metric vigil_alerts_patients_rebuilt_total) - r0))
  lag=$(metric 'kafka_consumer_fetch_manager_records_lag\\{.*topic="[^"]*readings"')
  echo "$i $rebuilt $lag"
  t=$(($(date +%s%3N) - t0))
  [ -z "$all" ] && [ "$rebuilt" -ge "$wearers" ] && { all=$t; at=$(ticks "$a"); pt=$(pg_ticks); }
  [ -n "$all" ] && [ -z "$drained" ] && [ "$lag" -le 0 ] && drained=$t
  [ -n "$drained" ] && ! kill -0 "$simpid" 2> /dev/null && break
done
wait "$simpid" || true
echo "all $wearers rebuilt ${all:-never} ms after the devices started; evaluator lag zero at ${drained:-never} ms"
echo "patients loaded: $(metric 'vigil_alerts_patients_rebuilt_total\\{from="saved"') from saved state," \
    "$(metric 'vigil_alerts_patients_rebuilt_total\\{from="history"') from history"
echo "CPU until all were rebuilt: node $(awk -v t=$((${at:-0} - a0)) -v h="$hz" 'BEGIN {printf "%.1f", t / h}') s," \
    "PostgreSQL $(awk -v t=$((${pt:-0} - p0)) -v h="$hz" 'BEGIN {printf "%.1f", t / h}') s"
cat "$work"/report/*.json 2> /dev/null | jq -r '.scenarios[]? | .latencyMs // "missed"' | sort -n | awk '
    /missed/ {m++; next} {v[n++] = $1} END {if (n == 0) {print "crisis alerts: none"; exit}
    printf "crisis publish-to-alert: p50 %.0f ms, max %.0f ms (%d of %d alerted)\n", v[int((n - 1) / 2)], v[n - 1], n, n + m}'
grep -h -A2 '^Summary' "$work/sim.log" | head -3 || true
