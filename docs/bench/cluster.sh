#!/usr/bin/env bash
# Cost per reading across nodes on Kafka, at an everyday rate: (1) one node without Kafka, (2) one node with Kafka,
# (3) two and (4) three nodes with Kafka, all on node A's embedded PostgreSQL and one real KRaft broker (the test
# broker, org.vigil.cluster.testing.KafkaMain, in a JVM of its own). The simulator drives glucometers at QoS 1, one
# reading a message, at a fixed total rate split evenly over the nodes' MQTT ports (one simulator JVM per node),
# after a warm-up (WARMUP seconds, 10 by default; 60 lets the JIT compilers finish first). Prints per
# configuration: readings stored and per second, the simulators' PUBACK p50 / p99 (the
# worst simulator's), publish-to-alert latency of injected severe hypoglycaemias (the alert read from node A's live
# feed, wherever it was raised), and the CPU-seconds per million readings of the Vigil JVMs, PostgreSQL and the
# broker (/proc ticks, from the measured run's start until the evaluators have caught up), and the readings topic's
# size on the broker's disk. Then, unless left out,
# the failover: two nodes under load, node B SIGKILLed, and how long until node A owns every readings partition and
# the evaluators' committed lag (org.vigil.cluster.testing.LagWatch, from outside the nodes) is back to normal.
# Usage: cluster.sh [seconds per configuration] [total msg/s] [devices] [configurations]
#        e.g. cluster.sh 40 10000 60 "1 2 3 4 failover"
# Run from the repository root after `mvn -q package -DskipTests` and
# `mvn -q -pl cluster -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test`.
# Loopback only; every process has a time limit, the script stops what it started and deletes its data.
set -euo pipefail
seconds=${1:-40}; rate=${2:-10000}; devices=${3:-60}; configs=${4:-"1 2 3 4 failover"}
warmup=${WARMUP:-10}; crises=${CRISES:-12}; kill_at=${KILL_AT:-20}; after_kill=${AFTER_KILL:-60}
jar=deploy/target/vigil-server.jar; sim=simulator/target/vigil-simulator.jar
kcp=cluster/target/test-classes:$(cat cluster/target/cp.txt)
http_base=18180; mqtt_base=11980; limit=$((seconds * 8 + 900)); hz=$(getconf CLK_TCK)
work=$(mktemp -d); started=()   # the pids this script started: `timeout` wrappers and their JVMs
declare -A node_pid node_wrapper
cleanup() {
  for p in "${started[@]}"; do kill "$p" 2> /dev/null || true; done
  for _ in $(seq 1 60); do pgrep -f "$work/" > /dev/null || break; sleep 1; done
  # A PostgreSQL whose node died without stopping it: fast shutdown by its postmaster's pid.
  for p in $(pgrep -f "$work/a/postgres-binaries/" || true); do kill -INT "$p" 2> /dev/null || true; done
  sleep 2; [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
child() { local c=""; for _ in $(seq 1 50); do c=$(pgrep -P "$1" | head -1) && [ -n "$c" ] && break; sleep 0.1; done; echo "$c"; }
metric() { curl -s --max-time 5 "127.0.0.1:$1/metrics" | awk -v m="$2" '$1 ~ "^"m {s+=$NF} END {printf "%.0f", s}'; }
stat_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2> /dev/null || echo 0; }
vigil_ticks() { local t=0 p; for p in "${node_pid[@]}"; do t=$((t + $(stat_ticks "$p"))); done; echo "$t"; }
# PostgreSQL: the postmaster (with the children it reaped) and its live children (backends, WAL writer, ...).
pg_ticks() { local t=0 p c
  for p in $(pgrep -f "$work/a/postgres-binaries/" || true); do
    t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2> /dev/null || echo 0)))
    for c in $(pgrep -P "$p" || true); do t=$((t + $(stat_ticks "$c"))); done
  done; echo "$t"; }
# The broker's, in configurations with Kafka only (it keeps running, idle, through a later one without).
kafka_ticks() { [ -n "${kafka_pid:-}" ] && [ "${with_kafka:-0}" = 1 ] && stat_ticks "$kafka_pid" || echo 0; }

start_kafka() {
  [ -n "${kafka_pid:-}" ] && return
  mkdir -p "$work/kafka"
  timeout "$limit" java -Djava.io.tmpdir="$work/kafka" -Xmx1g -cp "$kcp" org.vigil.cluster.testing.KafkaMain "$limit" \
      > "$work/kafka.log" 2>&1 &
  started+=($!); kafka_pid=$(child $!); started+=("$kafka_pid")
  for _ in $(seq 1 180); do grep -q '^bootstrap: ' "$work/kafka.log" && break; sleep 1; done
  bootstrap=$(grep -m1 '^bootstrap: ' "$work/kafka.log" | cut -d' ' -f2)
  [ -n "$bootstrap" ] || { echo "the broker did not start; see $work/kafka.log" >&2; exit 1; }
}
start_node() { # index [env...]; node 0 is A, with the embedded PostgreSQL
  local i=$1 name; name=$(printf "\\x$(printf %x $((97 + i)))"); shift
  env VIGIL_DATA_DIR="$work/$name" VIGIL_HTTP_HOST=127.0.0.1 VIGIL_HTTP_PORT=$((http_base + i)) VIGIL_MQTT_HOST=127.0.0.1 \
      VIGIL_MQTT_PORT=$((mqtt_base + i)) VIGIL_NODE_ID="$name" VIGIL_MQTT_MAX_MESSAGES_PER_SECOND=100000 \
      VIGIL_MQTT_MESSAGE_BURST=100000 "$@" timeout "$limit" java -Xmx1g -jar "$jar" > "$work/$name.log" 2>&1 &
  node_wrapper[$name]=$!; started+=($!); node_pid[$name]=$(child $!); started+=("${node_pid[$name]}")
  for _ in $(seq 1 180); do grep -q "Vigil ready" "$work/$name.log" && return; sleep 1; done
  echo "node $name did not start; see $work/$name.log" >&2; exit 1
}
stop_nodes() {
  local p; for p in "${node_pid[@]}"; do kill "$p" 2> /dev/null || true; done
  for p in "${node_pid[@]}"; do while kill -0 "$p" 2> /dev/null; do sleep 1; done; done
  for _ in $(seq 1 60); do pgrep -f "$work/a/postgres-binaries" > /dev/null || break; sleep 1; done
  node_pid=(); rm -rf "$work"/[abc] "$work"/dev* "$work"/rep*
}
# Starts n nodes (with Kafka when $2 is 1, topics under prefix $3) and waits until every one answers /health
# with 200, which in cluster mode means it follows the topics and has rebuilt its partitions.
start_nodes() { local n=$1 kafka=$2 prefix=$3 i kenv=()
  [ "$kafka" = 1 ] && { start_kafka; kenv=(VIGIL_KAFKA_BOOTSTRAP_SERVERS="$bootstrap" VIGIL_KAFKA_REPLICATION=1
      VIGIL_KAFKA_TOPIC_PREFIX="$prefix" ${SESSION_TIMEOUT:+VIGIL_KAFKA_SESSION_TIMEOUT=$SESSION_TIMEOUT}); }
  start_node 0 "${kenv[@]}"
  token=$(cat "$work/a/admin-token"); pg=$(grep -m1 'Embedded PostgreSQL' "$work/a.log" | grep -o 'port: [0-9]*' | tr -dc 0-9)
  for i in $(seq 1 $((n - 1))); do
    start_node "$i" "${kenv[@]}" VIGIL_ADMIN_TOKEN="$token" VIGIL_DB_URL="jdbc:postgresql://127.0.0.1:$pg/vigil" \
        VIGIL_DB_USER=postgres VIGIL_DB_PASSWORD="$(cat "$work/a/postgres-password")"
  done
  for i in $(seq 0 $((n - 1))); do
    for _ in $(seq 1 180); do curl -sf -o /dev/null "127.0.0.1:$((http_base + i))/health" && break; sleep 1; done
  done
}
# One simulator per node, in parallel: node i's devices (provisioned through A's API) publish to node i's port.
simulate() { local n=$1 tag=$2 secs=$3 i; shift 3
  for i in $(seq 0 $((n - 1))); do
    timeout "$limit" java -jar "$sim" --token "$token" --api "http://127.0.0.1:$http_base" --mqtt-port $((mqtt_base + i)) \
        --client vertx --devices $((devices / n)) --prefix "c${tag}n$i" --mix diabetes=1 --comorbidity 0 \
        --devices-file "$work/dev$i.csv" --rate "$(awk -v r="$rate" -v n="$n" 'BEGIN {print r / n}')" \
        --duration "${secs}s" --report-dir "$work/rep$tag-$i" "$@" > "$work/sim-$tag-$i.log" 2>&1 &
    sims+=($!); started+=($!)
  done
}
wait_sims() { local p; for p in "${sims[@]}"; do wait "$p" || true; done; sims=(); }   # NOT OK is counted, not fatal
lag() { local i t=0; for i in $(seq 0 $((n - 1))); do
  t=$((t + $(metric $((http_base + i)) 'kafka_consumer_fetch_manager_records_lag\\{.*topic="[^"]*readings"'))); done; echo "$t"; }

run_config() { local cfg=$1 n=$2 kafka=$3 i
  with_kafka=$kafka
  start_nodes "$n" "$kafka" "bench$cfg."; sims=()
  simulate "$n" "$cfg" "$warmup"; wait_sims   # provisions the devices; not measured
  local load0 r0 v0 p0 k0 t0 r1 v1 p1 k1 t1 drained=0
  load0=$(cut -d' ' -f1 /proc/loadavg); r0=0
  for i in $(seq 0 $((n - 1))); do r0=$((r0 + $(metric $((http_base + i)) vigil_ingest_readings_stored_total))); done
  v0=$(vigil_ticks); p0=$(pg_ticks); k0=$(kafka_ticks); t0=$(date +%s.%N)
  simulate "$n" "$cfg" "$seconds" --scenarios "severe_hypoglycaemia:$((crises / n))" --scenario-at "$((seconds / 2))s" \
      --alert-wait 20s
  wait_sims
  # Evaluation may still be behind the acknowledgements: count its CPU too, until the evaluators caught up.
  if [ "$kafka" = 1 ]; then
    for _ in $(seq 1 60); do [ "$(lag)" -le 0 ] && break; sleep 1; drained=$((drained + 1)); done
  fi
  r1=0; for i in $(seq 0 $((n - 1))); do r1=$((r1 + $(metric $((http_base + i)) vigil_ingest_readings_stored_total))); done
  v1=$(vigil_ticks); p1=$(pg_ticks); k1=$(kafka_ticks); t1=$(date +%s.%N)
  local readings=$((r1 - r0)) elapsed p50 p99 alerts
  elapsed=$(grep -ho ', [0-9.]* s: offered' "$work"/sim-"$cfg"-*.log | awk '{if ($2 > m) m = $2} END {print m}')
  p50=$(grep -ho 'PUBACK latency p50 [0-9.]* ms' "$work"/sim-"$cfg"-*.log | awk '{if ($4 > m) m = $4} END {print m}')
  p99=$(grep -ho ', p99 [0-9.]* ms' "$work"/sim-"$cfg"-*.log | awk '{if ($3 > m) m = $3} END {print m}')
  alerts=$(cat "$work/rep$cfg"-*/*.json 2> /dev/null | jq -r '.scenarios[]? | .latencyMs // "missed"' | sort -n | awk '
      /missed/ {m++; next} {v[n++] = $1} END {if (n == 0) {print "none"; exit}
      printf "%.0f/%.0f ms (%d of %d)", v[int((n - 1) / 2)], v[n - 1], n, n + m}')
  # Messages not sent because a device's window was full at its tick are counted by the simulator as errors.
  grep -h -A1 '^Summary' "$work"/sim-"$cfg"-*.log | grep -o 'unacknowledged [0-9,]*, errors [0-9,]*' \
      | sed "s/^/  config $cfg simulator: /" >&2 || true
  awk -v c="$cfg" -v n="$n" -v k="$kafka" -v r="$readings" -v e="$elapsed" -v a="$p50" -v b="$p99" -v al="$alerts" \
      -v v=$((v1 - v0)) -v p=$((p1 - p0)) -v kk=$((k1 - k0)) -v hz="$hz" -v d="$drained" -v l0="$load0" \
      -v l1="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {m = (r ? r : 1) / 1e6; f = hz * m
      printf "%-4s %5s %5s %9d %8.0f %7s %7s %-22s %7.1f %7.1f %7.1f %7.1f %5s %s→%s\n", c, n, k ? "yes" : "no", r,
          r / (e ? e : 1), a, b, al, v / f, p / f, kk / f, (v + p + kk) / f, d, l0, l1}'
  if [ "$kafka" = 1 ]; then   # the readings topic's size on the broker's disk, warm-up included, per reading stored
    local bytes; bytes=$(cat "$work"/kafka/*/*/"bench$cfg.readings"-*/*.log 2> /dev/null | wc -c)
    echo "  config $cfg: readings topic $bytes bytes on disk for $r1 readings stored" >&2
  fi
  stop_nodes
}

failover() { local i t owned lagv state
  n=2; start_nodes 2 1 "benchF."; sims=()
  simulate 2 F "$warmup"; wait_sims
  local partitions; partitions=${VIGIL_KAFKA_READING_PARTITIONS:-48}
  timeout "$limit" java -cp "$kcp" org.vigil.cluster.testing.LagWatch "$bootstrap" benchF.evaluators benchF.readings \
      $((kill_at + after_kill + 10)) > "$work/lagwatch.log" 2>&1 &
  started+=($!)
  simulate 2 F $((kill_at + after_kill))
  sleep "$kill_at"
  local killed; killed=$(date +%s%3N)
  kill -KILL "${node_pid[b]}"; { wait "${node_wrapper[b]}"; } 2> /dev/null || true; unset 'node_pid[b]'
  echo "ms-after-kill A-owns(evaluator) A-/health committed-lag(LagWatch)" > "$work/failover.txt"
  for _ in $(seq 1 "$after_kill"); do
    sleep 1; t=$(($(date +%s%3N) - killed))
    owned=$(metric "$http_base" 'vigil_cluster_partitions_owned\\{consumer="evaluator"')
    state=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "127.0.0.1:$http_base/health" || true)
    lagv=$(tail -1 "$work/lagwatch.log" | awk '{print $3}')
    echo "$t $owned $state $lagv" >> "$work/failover.txt"
  done
  wait_sims
  # LagWatch's samples relative to the kill: the highest lag of the ten seconds before it, the peak after it, and
  # when, after the peak, it was back under twice that level (and under 1,000 records).
  awk -v k="$killed" '$2 == "lag" {t = $1 - k; if (t < 0 && t > -10000 && $3 > before) before = $3
        if (t >= 0) {n++; ts[n] = t; v[n] = $3; if ($3 > peak) {peak = $3; at = n}}}
      END {limit = 2 * before > 1000 ? 2 * before : 1000
        for (i = at; i <= n; i++) if (v[i] <= limit) {back = ts[i]; break}
        printf "committed lag: at most %d in the 10 s before the kill; peak %d at %.1f s after it; back under %d at %s\n",
          before, peak, ts[at] / 1000, limit, back ? sprintf("%.1f s", back / 1000) : "never"}' "$work/lagwatch.log"
  awk -v p="$partitions" 'NR > 1 && $2 >= p && !o {o = $1} NR > 1 && $3 == 200 && !h && o {h = $1}
      END {printf "node A owned all %d partitions %s ms after the kill (sampled each second); /health 200 then: %s\n", p,
        o ? o : "never", h ? "yes" : "no"}' \
      "$work/failover.txt"
  cat "$work/failover.txt"
  grep -h 'Summary\|acknowledged\|PUBACK' "$work"/sim-F-0.log | tail -2
  stop_nodes
}

echo "$(date -u +%FT%TZ) $(nproc) cores; $rate msg/s over $devices glucometers, QoS 1, ${seconds} s per configuration"
printf '%-4s %5s %5s %9s %8s %7s %7s %-22s %7s %7s %7s %7s %5s %s\n' cfg nodes kafka readings stored/s p50-ms p99-ms \
    "alert p50/max" vigil pg kafka total drain load
for c in $configs; do
  case $c in
    1) run_config 1 1 0 ;; 2) run_config 2 1 1 ;; 3) run_config 3 2 1 ;; 4) run_config 4 3 1 ;;
    failover) failover ;;
    *) echo "unknown configuration $c" >&2; exit 2 ;;
  esac
done
