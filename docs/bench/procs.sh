# Process helpers shared by the benchmark scripts that run a node on its embedded PostgreSQL (sourced, not run).
# The sourcing script sets `work` (its scratch directory, node A's data in $work/a) and `started` (pids it started;
# nodes started in command substitutions append theirs to $work/pids instead).
cleanup() {   # stops what the script started; the data goes too unless KEEP is set
  for p in "${started[@]}" $(cat "$work/pids" 2> /dev/null); do kill "$p" 2> /dev/null || true; done
  for _ in $(seq 1 60); do pgrep -f "$work/" > /dev/null || break; sleep 1; done
  for p in $(pgrep -f "$work/a/postgres-binaries/" || true); do kill -INT "$p" 2> /dev/null || true; done
  sleep 2; [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
# The first child of a process: the JVM under `timeout`.
child() { local c=""; for _ in $(seq 1 50); do c=$(pgrep -P "$1" | head -1) && [ -n "$c" ] && break; sleep 0.1; done; echo "$c"; }
# CPU ticks of a process (user + system).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2> /dev/null || echo 0; }
# PostgreSQL's: the postmaster (with the children it reaped) and its live children.
pg_ticks() { local t=0 p c
  for p in $(pgrep -f "$work/a/postgres-binaries/" || true); do
    t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2> /dev/null || echo 0)))
    for c in $(pgrep -P "$p" || true); do t=$((t + $(ticks "$c"))); done
  done; echo "$t"; }
# Stops a node (SIGTERM, so it stops its embedded PostgreSQL) and waits until that PostgreSQL is gone too.
stop_node() { kill "$1"; while kill -0 "$1" 2> /dev/null; do sleep 1; done
  for _ in $(seq 1 60); do pgrep -f "$work/a/postgres-binaries" > /dev/null || break; sleep 1; done; }
# Starts the cluster module's test broker, one KRaft broker in a JVM of its own (classpath in `kcp`, time limit in
# `limit`), and sets `bootstrap` once it listens.
start_broker() {
  timeout "$limit" java -Djava.io.tmpdir="$work" -Xmx1g -cp "$kcp" org.vigil.cluster.testing.KafkaMain "$limit" \
      > "$work/kafka.log" 2>&1 &
  started+=($!); started+=("$(child $!)")
  for _ in $(seq 1 180); do grep -q '^bootstrap: ' "$work/kafka.log" && break; sleep 1; done
  bootstrap=$(grep -m1 '^bootstrap: ' "$work/kafka.log" | cut -d' ' -f2)
}
