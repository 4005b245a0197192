#!/usr/bin/env bash
# Two Vigil nodes on one machine sharing node A's embedded PostgreSQL, each holding half of the devices:
# how a deployment holds more device connections than one process may open files (20,000 here).
# Usage: two-nodes.sh <devices per node> <seconds>   (run from the repository root after mvn package and
# the deploy test classpath step of docs/performance.md). Loopback only; everything stops by itself.
set -euo pipefail
per_node=${1:-10100}; seconds=${2:-150}
work=$(mktemp -d); trap 'pkill -f "java -Xmx1g -jar $jar" || true; rm -rf "$work"' EXIT; jar=deploy/target/vigil-server.jar; cp=deploy/target/test-classes:deploy/target/classes:$(cat deploy/target/cp.txt)
metric() { curl -s "127.0.0.1:$1/metrics" | awk -v m="$2" '$1 ~ "^"m {s+=$NF} END {printf "%.0f", s}'; }
start_node() { # name http mqtt [extra env...]
  local name=$1 http=$2 mqtt=$3; shift 3
  env VIGIL_DATA_DIR="$work/$name" VIGIL_HTTP_HOST=127.0.0.1 VIGIL_HTTP_PORT="$http" VIGIL_MQTT_HOST=127.0.0.1 \
      VIGIL_MQTT_PORT="$mqtt" VIGIL_LOG_LEVEL=INFO "$@" timeout $((seconds + 600)) java -Xmx1g -jar "$jar" > "$work/$name.log" 2>&1 &
  for _ in $(seq 1 120); do grep -q "listening" "$work/$name.log" && return; sleep 1; done
  echo "node $name did not start; see $work/$name.log" >&2; exit 1
}
start_node a 18081 11881
token=$(cat "$work/a/admin-token")
pg=$(grep -m1 'Embedded PostgreSQL' "$work/a.log" | grep -o 'port: [0-9]*' | tr -dc 0-9)
start_node b 18082 11882 VIGIL_ADMIN_TOKEN="$token" VIGIL_DB_URL="jdbc:postgresql://127.0.0.1:$pg/vigil" VIGIL_DB_USER=postgres \
    VIGIL_DB_PASSWORD="$(cat "$work/a/postgres-password")"
gc() { for p in $(pgrep -f "java -Xmx1g -jar $jar"); do [ "$(cat /proc/$p/comm)" = java ] && { jcmd "$p" GC.run > /dev/null 2>&1 || true; }; done; sleep 2; }
gc
heap_before_a=$(metric 18081 'jvm_memory_used_bytes\\{area="heap"'); heap_before_b=$(metric 18082 'jvm_memory_used_bytes\\{area="heap"')
for i in 0 1; do
  timeout $((seconds + 600)) java -Xmx1g -cp "$cp" org.vigil.simulator.Simulator --client vertx --loops 1 \
      --mqtt-host 127.0.0.1 --mqtt-port $((11881 + i)) --api http://127.0.0.1:18081 --token "$token" --prefix "node$i" \
      --devices "$per_node" --rate 200 --duration "${seconds}s" > "$work/sim$i.log" 2>&1 &
done
for _ in $(seq 1 $((seconds + 300))); do
  a=$(metric 18081 vigil_mqtt_connections); b=$(metric 18082 vigil_mqtt_connections)
  [ "$a" -ge "$per_node" ] && [ "$b" -ge "$per_node" ] && break; sleep 1
done
sleep 5
gc
echo "connections: node a $(metric 18081 vigil_mqtt_connections), node b $(metric 18082 vigil_mqtt_connections)"
for n in a:18081:$heap_before_a b:18082:$heap_before_b; do IFS=: read -r name port before <<< "$n"
  after=$(metric "$port" 'jvm_memory_used_bytes\\{area="heap"'); conns=$(metric "$port" vigil_mqtt_connections)
  echo "node $name heap $((before / 1048576)) -> $((after / 1048576)) MiB: $(( (after - before) / conns )) bytes per connection"
done
wait $(jobs -p | tail -2) 2> /dev/null || true
tail -n 4 "$work/sim0.log" "$work/sim1.log"
