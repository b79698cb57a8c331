#!/usr/bin/env bash
# Throwaway local Elasticsearch nodes on loopback, for benchmarks, chaos checks and tests:
# one node, or a cluster of several (replicas can then be placed), each with its own data dir.
#
#   scripts/cluster.sh start            start CLUSTER_NODES nodes (default 3) and wait for them
#   scripts/cluster.sh wait             wait until all nodes answer and the cluster has formed
#   scripts/cluster.sh stop             stop every node of this cluster (SIGTERM, then SIGKILL)
#   scripts/cluster.sh status           pids, ports and cluster health
#   scripts/cluster.sh kill I [SIG]     stop node I (0-based) with SIG (default KILL): a crash
#   scripts/cluster.sh start-node I     start node I again (same data, same ports)
#   scripts/cluster.sh urls             the nodes' URLs, comma-separated (what ES_URL accepts)
#   scripts/cluster.sh clean            stop, then delete this cluster's directory
#
# Settings (environment):
#   CLUSTER_NODES  number of nodes (default 3; 1 makes a single-node cluster)
#   CLUSTER_PORT   HTTP port of node 0 (default 9400); node I listens on CLUSTER_PORT+I, and its
#                  transport on CLUSTER_PORT+100+I
#   CLUSTER_DIR    where data, logs and pid files go (default .cache/cluster-$CLUSTER_PORT)
#   ES_HEAP        JVM heap per node (default 512m)
#   CLUSTER_JAVA_OPTS  more JVM options for every node (e.g. -XX:TieredStopAtLevel=1 starts faster)
#   ES_HOME        the unpacked distribution (default: the one `scripts/es.sh fetch` puts in .cache/es/)
#   ES_VERSION, ES_JAVA_HOME, ES_USER, ES_WAIT_SECS: as for scripts/es.sh
#
# Nodes bind to 127.0.0.1 only, security off (loopback development/test setup, like scripts/es.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
ES_VERSION="${ES_VERSION:-8.19.21}"
ES_HOME="${ES_HOME:-$ROOT/.cache/es/elasticsearch-$ES_VERSION}"
ES_HEAP="${ES_HEAP:-512m}"
ES_USER="${ES_USER:-panjereh-es}"
ES_WAIT_SECS="${ES_WAIT_SECS:-120}"
NODES="${CLUSTER_NODES:-3}"
PORT="${CLUSTER_PORT:-9400}"
DIR="${CLUSTER_DIR:-$ROOT/.cache/cluster-$PORT}"

say() { printf 'cluster: %s\n' "$*"; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/es-user.sh
. "$ROOT/scripts/es-user.sh"

case "$NODES" in ''|*[!0-9]*|0) die "CLUSTER_NODES=$NODES is not a positive number" ;; esac
case "$PORT" in ''|*[!0-9]*) die "CLUSTER_PORT=$PORT is not a port number" ;; esac

http_port() { echo $((PORT + $1)); }
transport_port() { echo $((PORT + 100 + $1)); }
pid_file() { echo "$DIR/node-$1/es.pid"; }

answers() { curl -fsS --max-time 3 "http://127.0.0.1:$(http_port "$1")/_cluster/health" >/dev/null 2>&1; }

node_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'org.elasticsearch' || return 1
  printf '%s' "$pid"
}

ensure_home() {
  if [[ ! -x "$ES_HOME/bin/elasticsearch" ]]; then
    ES_VERSION="$ES_VERSION" "$ROOT/scripts/es.sh" fetch
  fi
  [[ -x "$ES_HOME/bin/elasticsearch" ]] || die "no Elasticsearch in $ES_HOME (set ES_HOME)"
}

start_node() {
  local i="$1" node_dir java_home
  if node_pid "$i" >/dev/null; then
    say "node $i already runs (pid $(node_pid "$i"))"
    return 0
  fi
  answers "$i" && die "something else already answers on port $(http_port "$i")"
  ensure_home
  java_home="$(es_java_home)"
  node_dir="$DIR/node-$i"
  mkdir -p "$node_dir/data" "$node_dir/logs"
  prepare_es_user "$ES_HOME" "$DIR"
  local -a settings=(
    -Ecluster.name="panjereh-local-$PORT"
    -Enode.name="node-$i"
    -Enetwork.host=127.0.0.1
    -Ehttp.port="$(http_port "$i")"
    -Etransport.port="$(transport_port "$i")"
    -Expack.security.enabled=false
    -Epath.data="$node_dir/data"
    -Epath.logs="$node_dir/logs"
    -Ecluster.routing.allocation.disk.threshold_enabled=false
  )
  if [[ "$NODES" -eq 1 ]]; then
    settings+=(-Ediscovery.type=single-node)
  else
    local seeds="" masters="" j
    for ((j = 0; j < NODES; j++)); do
      seeds+="${seeds:+,}127.0.0.1:$(transport_port "$j")"
      masters+="${masters:+,}node-$j"
    done
    settings+=(-Ediscovery.seed_hosts="$seeds")
    # initial_master_nodes only matters for the very first election; ES ignores it afterwards.
    settings+=(-Ecluster.initial_master_nodes="$masters")
  fi
  # shellcheck disable=SC2206
  settings+=(${ES_SETTINGS:-})
  rm -f "$(pid_file "$i")"
  say "starting node $i on http://127.0.0.1:$(http_port "$i") (heap $ES_HEAP, data in ${node_dir#"$ROOT"/})"
  (cd "$ES_HOME" && "${AS_USER[@]}" env ES_JAVA_HOME="$java_home" \
      ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP ${CLUSTER_JAVA_OPTS:-}" ES_PATH_CONF="$ES_HOME/config" \
      "$ES_HOME/bin/elasticsearch" -d -p "$(pid_file "$i")" "${settings[@]}" \
      </dev/null >"$node_dir/startup.out" 2>&1) \
    || { tail -n 30 "$node_dir/startup.out" >&2; die "node $i did not start"; }
}

cmd_wait() {
  local deadline=$((SECONDS + ES_WAIT_SECS)) i ok
  while ((SECONDS < deadline)); do
    ok=1
    for ((i = 0; i < NODES; i++)); do answers "$i" || { ok=0; break; }; done
    if ((ok)) && curl -fsS --max-time 5 \
        "http://127.0.0.1:$PORT/_cluster/health?wait_for_nodes=$NODES&wait_for_status=yellow&timeout=2s" >/dev/null 2>&1; then
      say "$NODES node(s) up: $(cmd_urls)"
      return 0
    fi
    sleep 1
  done
  die "the cluster did not form within ${ES_WAIT_SECS}s (logs in $DIR/node-*/logs)"
}

cmd_start() {
  local i
  mkdir -p "$DIR"
  # the first start of a multi-node cluster needs all nodes at once: start them in parallel
  local -a pids=()
  for ((i = 0; i < NODES; i++)); do start_node "$i" & pids+=($!); done
  local failed=0
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  ((failed == 0)) || die "a node did not start"
  cmd_wait
}

stop_node() {
  local i="$1" sig="${2:-TERM}" pid n
  pid="$(node_pid "$i")" || { say "node $i is not running"; return 0; }
  say "stopping node $i (pid $pid) with SIG$sig"
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((n = 0; n < 60; n++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pid_file "$i")"
}

cmd_stop() {
  local i
  for ((i = 0; i < NODES; i++)); do stop_node "$i" TERM & done
  wait
}

cmd_urls() {
  local i out=""
  for ((i = 0; i < NODES; i++)); do out+="${out:+,}http://127.0.0.1:$(http_port "$i")"; done
  printf '%s\n' "$out"
}

cmd_status() {
  local i
  for ((i = 0; i < NODES; i++)); do
    if pid="$(node_pid "$i")"; then say "node $i: pid $pid, port $(http_port "$i")"
    else say "node $i: not running"; fi
  done
  for ((i = 0; i < NODES; i++)); do
    if curl -fsS --max-time 3 "http://127.0.0.1:$(http_port "$i")/_cluster/health"; then echo; return 0; fi
  done
  return 1
}

node_arg() {
  [[ "${1:-}" =~ ^[0-9]+$ && "$1" -lt "$NODES" ]] || die "expected a node number 0..$((NODES - 1))"
}

case "${1:-}" in
  start) cmd_start ;;
  wait) cmd_wait ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  urls) cmd_urls ;;
  kill) node_arg "${2:-}"; stop_node "$2" "${3:-KILL}" ;;
  start-node) node_arg "${2:-}"; start_node "$2" ;;
  clean) cmd_stop; rm -rf "$DIR" ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
