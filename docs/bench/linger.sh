#!/usr/bin/env bash
# Cost per reading at everyday rates, with and without the writers' linger (VIGIL_INGEST_LINGER): one node on
# its embedded PostgreSQL, 50 devices at QoS 1, one reading a message, each rate for a fixed time. Prints, per
# linger and rate: readings acknowledged, transactions, readings per transaction, CPU-seconds of the server and
# its PostgreSQL per million readings, the simulator's PUBACK p50/p99, and the share of messages the server itself
# committed within 50 ms of handling them (vigil_ingest_message_latency_seconds: from the event loop's handling of
# the PUBLISH to the commit that releases its PUBACK; socket queues and the PUBACK's way back are not in it).
# Usage: linger.sh [seconds per rate] [rates] [lingers]   e.g. linger.sh 20 "10000 20000" "0ms 5ms"
# Run from the repository root after `mvn -q package -DskipTests`. Loopback only; stops by itself and deletes
# its data directory. SERVER_CPUS and SIM_CPUS (taskset lists, e.g. 1 and 0) keep the server with its PostgreSQL
# and the load generator on cores of their own, so the generator's work does not stand in the server's latency;
# SIM_NICE (e.g. 10) runs the load generator at a lower priority, so the server is not kept waiting behind it;
# SERVER_JVM_OPTS and SIM_JVM_OPTS add JVM options to the server's and the load generator's (e.g. -XX:+UseZGC).
set -euo pipefail
seconds=${1:-20}; rates=${2:-"10000 20000"}; lingers=${3:-"0ms 5ms"}
jar=deploy/target/vigil-server.jar; sim=simulator/target/vigil-simulator.jar
work=$(mktemp -d); trap 'pkill -f "vigil-bench-linger" || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
metric() { curl -s "127.0.0.1:18090/metrics" | awk -v m="$1" '$1 ~ "^"m {s+=$NF} END {printf "%.0f", s}'; }
# CPU ticks of the server's JVM, its postmaster (with the children it reaped) and the postmaster's live children
# (the backends doing the COPYs, the WAL writer, the checkpointer ...).
ticks() { local t=0 p
  for p in $(pgrep -f vigil-bench-linger); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  for p in $(pgrep -f "$work/data/postgres-binaries"); do
    t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    for c in $(pgrep -P "$p"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0))); done
  done; echo "$t"; }
hz=$(getconf CLK_TCK); fast='vigil_ingest_message_latency_seconds_bucket.*le="0.05"'   # a histogram bucket
on_server=(); [ -n "${SERVER_CPUS:-}" ] && on_server=(taskset -c "$SERVER_CPUS")
on_sim=(); [ -n "${SIM_CPUS:-}" ] && on_sim=(taskset -c "$SIM_CPUS")
[ -n "${SIM_NICE:-}" ] && on_sim=(nice -n "$SIM_NICE" "${on_sim[@]}")
printf '%-6s %-7s %10s %8s %9s %14s %9s %9s %12s\n' linger msg/s readings commits per-txn "CPU-s/million" p50-ms p99-ms \
    "server<50ms"
for linger in $lingers; do
  rm -rf "$work/data"
  env VIGIL_DATA_DIR="$work/data" VIGIL_HTTP_HOST=127.0.0.1 VIGIL_HTTP_PORT=18090 VIGIL_MQTT_HOST=127.0.0.1 \
      VIGIL_MQTT_PORT=11890 VIGIL_INGEST_LINGER="$linger" VIGIL_MQTT_MAX_MESSAGES_PER_SECOND=100000 \
      VIGIL_MQTT_MESSAGE_BURST=100000 "${on_server[@]}" timeout 1200 java -Dvigil-bench-linger -Xmx1g ${SERVER_JVM_OPTS:-} -jar "$jar" \
      > "$work/server.log" 2>&1 &
  for _ in $(seq 1 120); do curl -sf 127.0.0.1:18090/health > /dev/null && break; sleep 1; done
  token=$(cat "$work/data/admin-token")
  # Provision the devices once per server, with a short warm-up.
  "${on_sim[@]}" java ${SIM_JVM_OPTS:-} -jar "$sim" --token "$token" --api http://127.0.0.1:18090 --mqtt-port 11890 --client vertx --devices 50 \
      --mix diabetes=1 --comorbidity 0 --devices-file "$work/devices.csv" --rate 2000 --duration 5s \
      > "$work/warmup.log" 2>&1 || true
  for rate in $rates; do
    r0=$(metric 'vigil_ingest_batch_readings_sum'); b0=$(metric 'vigil_ingest_batch_readings_count'); c0=$(ticks)
    m0=$(metric 'vigil_ingest_message_latency_seconds_count'); f0=$(metric "$fast")
    "${on_sim[@]}" java ${SIM_JVM_OPTS:-} -jar "$sim" --api http://127.0.0.1:18090 --mqtt-port 11890 --client vertx --devices 50 \
        --mix diabetes=1 --comorbidity 0 --devices-file "$work/devices.csv" --rate "$rate" --duration "${seconds}s" \
        > "$work/sim.log" 2>&1 || true   # "NOT OK" when a device's window was full at a tick: counted, not fatal
    r1=$(metric 'vigil_ingest_batch_readings_sum'); b1=$(metric 'vigil_ingest_batch_readings_count'); c1=$(ticks)
    m1=$(metric 'vigil_ingest_message_latency_seconds_count'); f1=$(metric "$fast")
    readings=$((r1 - r0)); commits=$((b1 - b0))
    p50=$(grep -o 'PUBACK latency p50 [0-9.]* ms' "$work/sim.log" | tail -1 | awk '{print $4}')
    p99=$(grep -o ', p99 [0-9.]* ms' "$work/sim.log" | tail -1 | awk '{print $3}')
    awk -v l="$linger" -v r="$rate" -v n="$readings" -v c="$commits" -v t=$((c1 - c0)) -v hz="$hz" -v a="$p50" -v b="$p99" \
        -v m=$((m1 - m0)) -v f=$((f1 - f0)) 'BEGIN {printf "%-6s %-7s %10d %8d %9.1f %14.1f %9s %9s %11.2f%%\n", l, r, n, c,
        n / (c ? c : 1), t / hz / (n ? n : 1) * 1e6, a, b, 100 * f / (m ? m : 1)}'
  done
  pkill -f "vigil-bench-linger" || true
  for _ in $(seq 1 60); do pgrep -f "$work/data" > /dev/null || break; sleep 1; done
done
