#!/usr/bin/env bash
# A local, single-node Elasticsearch for development, tests and CI.
#
#   scripts/es.sh fetch    download the distribution from Maven Central into .cache/ (once)
#   scripts/es.sh start    start a node on 127.0.0.1:$ES_PORT (fetching first) and wait for it
#   scripts/es.sh wait     wait until the node answers with status yellow or green
#   scripts/es.sh stop     stop the node this checkout started (fine if none runs)
#   scripts/es.sh status   say whether a node runs and print its health
#
# Settings (environment):
#   ES_URL        an existing cluster to use; `start` and `stop` then do nothing
#   ES_PORT       HTTP port of the local node (default 9200; transport uses ES_PORT+100)
#   ES_VERSION    distribution version (default 8.19.21, the newest 8.19.x on Maven Central)
#   ES_HEAP       JVM heap, both -Xms and -Xmx (default 512m)
#   ES_JAVA_HOME  the JDK to run it with (default: the one `java` on PATH belongs to)
#   ES_WAIT_SECS  how long `wait` waits (default 120)
#   ES_SETTINGS   more -E settings for the node, space-separated
#   ES_USER       the system user that runs the node when this script runs as root
#                 (default panjereh-es; Elasticsearch refuses to run as root)
#
# The distribution is Maven Central's "integ-test-zip" (the only full server published there):
# it has no bundled JDK and few modules (no analysis-common, no ingest-geoip), and it answers
# `GET /` with 405, so health is read from /_cluster/health.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
CACHE="$ROOT/.cache"
ES_VERSION="${ES_VERSION:-8.19.21}"
ES_PORT="${ES_PORT:-9200}"
ES_HEAP="${ES_HEAP:-512m}"
ES_USER="${ES_USER:-panjereh-es}"
ES_WAIT_SECS="${ES_WAIT_SECS:-120}"
ES_HOME="$CACHE/es/elasticsearch-$ES_VERSION"
DIST_DIR="$CACHE/dist"
DATA_DIR="$CACHE/es-data"
LOG_DIR="$CACHE/es-logs"
RUN_DIR="$CACHE/es-run"
PID_FILE="$RUN_DIR/es.pid"
PORT_FILE="$RUN_DIR/es.port"
ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"

say() { printf 'es: %s\n' "$*"; }
die() { printf 'es: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/es-user.sh
. "$ROOT/scripts/es-user.sh"

case "$ES_PORT" in
  ''|*[!0-9]*) die "ES_PORT=$ES_PORT is not a port number" ;;
esac
TRANSPORT_PORT=$((ES_PORT + 100))

# The first node of ES_URL (it may list several, comma-separated), or the local node.
base_url() {
  if [[ -n "${ES_URL:-}" ]]; then
    local first="${ES_URL%%,*}"
    printf '%s' "${first%/}"
  else
    printf 'http://127.0.0.1:%s' "$ES_PORT"
  fi
}

# GET a URL: print the body, succeed only on a 2xx answer. curl if present, else python3.
http_get() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time "${2:-5}" "$1" 2>/dev/null
  else
    python3 - "$1" "${2:-5}" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])) as r:
    sys.stdout.write(r.read().decode())
PY
  fi
}

answers() { http_get "$(base_url)/_cluster/health" 3 >/dev/null; }

# The pid of the node this checkout started, if it still runs (and really is Elasticsearch).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'org.elasticsearch' || return 1
  printf '%s' "$pid"
}

java_major() {
  # `java -version` prints e.g.: openjdk version "17.0.15" 2025-04-15  (or "1.8.0_392")
  local v
  v="$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  v="${v#1.}"
  printf '%s' "${v%%[.+-]*}"
}

need_tools() {
  local hint="install with: apt-get install -y maven openjdk-17-jdk-headless"
  command -v java >/dev/null 2>&1 || die "Java 17 or newer is needed to run Elasticsearch but \`java\` is not on PATH; $hint"
  local major
  major="$(java_major java)"
  [[ "$major" =~ ^[0-9]+$ && "$major" -ge 17 ]] \
    || die "Elasticsearch $ES_VERSION needs Java 17 or newer but \`java\` is version ${major:-unknown}; $hint"
  command -v unzip >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 \
    || die "unzip (or python3) is needed to unpack Elasticsearch; install it with: apt-get install -y unzip"
}

cmd_fetch() {
  if [[ -x "$ES_HOME/bin/elasticsearch" ]]; then
    return 0
  fi
  need_tools
  command -v mvn >/dev/null 2>&1 \
    || die "Maven is needed to fetch Elasticsearch from Maven Central but \`mvn\` is not on PATH; install it with: apt-get install -y maven openjdk-17-jdk-headless"
  local zip="$DIST_DIR/elasticsearch-$ES_VERSION.zip"
  mkdir -p "$DIST_DIR" "$CACHE/es"
  if [[ ! -s "$zip" ]]; then
    say "fetching Elasticsearch $ES_VERSION from Maven Central… (about 100 MB, once)"
    # Run from .cache so that no pom.xml in the working directory is picked up.
    # Maven prints colour codes even with -q -B: keep its output in a log, shown if it fails.
    local log="$DIST_DIR/mvn.log"
    if ! (cd "$CACHE" && mvn -q -B dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$DIST_DIR" \
          </dev/null >"$log" 2>&1); then
      sed 's/\x1b\[[0-9;]*m//g' "$log" | tail -n 30 >&2
      die "could not fetch $ARTIFACT from Maven Central (is ES_VERSION=$ES_VERSION published there?)"
    fi
    [[ -s "$zip" ]] || die "Maven reported success but $zip is missing"
  fi
  say "unpacking $(basename "$zip") into .cache/es/…"
  local tmp
  tmp="$(mktemp -d "$CACHE/es/.unpack.XXXXXX")"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$zip" -d "$tmp"
  else
    python3 - "$zip" "$tmp" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        path = z.extract(info, sys.argv[2])
        mode = (info.external_attr >> 16) & 0o7777
        if mode:
            os.chmod(path, mode)
PY
  fi
  [[ -x "$tmp/elasticsearch-$ES_VERSION/bin/elasticsearch" ]] \
    || { rm -rf "$tmp"; die "$zip does not hold elasticsearch-$ES_VERSION/bin/elasticsearch"; }
  rm -rf "$ES_HOME"
  mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$tmp"
  say "Elasticsearch $ES_VERSION is in .cache/es/elasticsearch-$ES_VERSION"
}

cmd_start() {
  if [[ -n "${ES_URL:-}" ]]; then
    say "using ES_URL=$ES_URL; starting nothing"
    return 0
  fi
  if answers; then
    say "a node already answers on http://127.0.0.1:$ES_PORT"
    return 0
  fi
  local pid
  if pid="$(running_pid)"; then
    local port
    port="$(cat "$PORT_FILE" 2>/dev/null || echo "?")"
    if [[ "$port" != "$ES_PORT" ]]; then
      die "the node this checkout started (pid $pid) listens on port $port, not $ES_PORT; run \`ES_PORT=$port scripts/es.sh stop\` first"
    fi
    say "node (pid $pid) is still starting"
    cmd_wait
    return
  fi

  cmd_fetch
  need_tools
  local java_home
  java_home="$(es_java_home)"

  mkdir -p "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"
  rm -f "$PID_FILE"
  prepare_es_user "$ES_HOME" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"

  say "starting Elasticsearch $ES_VERSION on http://127.0.0.1:$ES_PORT (heap $ES_HEAP, logs in .cache/es-logs/)"
  echo "$ES_PORT" >"$PORT_FILE"
  local -a settings=(
    -Ediscovery.type=single-node
    -Enetwork.host=127.0.0.1
    -Ehttp.port="$ES_PORT"
    -Etransport.port="$TRANSPORT_PORT"
    -Expack.security.enabled=false
    -Epath.data="$DATA_DIR"
    -Epath.logs="$LOG_DIR"
    -Ecluster.routing.allocation.disk.threshold_enabled=false
  )
  # More -E settings, space-separated (e.g. ES_SETTINGS="-Eindices.query.bool.max_clause_count=4096").
  # shellcheck disable=SC2206
  settings+=(${ES_SETTINGS:-})
  # -d returns once the node has started (or failed to). Its console output (the startup log)
  # goes to .cache/es-run/startup.out; the node's logs are in .cache/es-logs/.
  local out="$RUN_DIR/startup.out"
  if ! (cd "$ES_HOME" && "${AS_USER[@]}" env \
        ES_JAVA_HOME="$java_home" \
        ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" \
        ES_PATH_CONF="$ES_HOME/config" \
        "$ES_HOME/bin/elasticsearch" -d -p "$PID_FILE" "${settings[@]}" </dev/null >"$out" 2>&1); then
    printf 'es: last 30 lines of .cache/es-run/startup.out:\n' >&2
    tail -n 30 "$out" >&2
    rm -f "$PORT_FILE"
    die "Elasticsearch did not start (output above; logs in .cache/es-logs/)"
  fi
  cmd_wait
}

show_log() {
  local log
  log="$(ls -t "$LOG_DIR"/*.log 2>/dev/null | grep -v -e '_deprecation' -e 'gc.log' | head -n 1 || true)"
  if [[ -n "$log" ]]; then
    printf 'es: last 30 lines of %s:\n' "${log#"$ROOT"/}" >&2
    tail -n 30 "$log" >&2
  else
    say "no log file in .cache/es-logs/" >&2
  fi
}

cmd_wait() {
  local url deadline
  url="$(base_url)/_cluster/health?wait_for_status=yellow&timeout=1s"
  deadline=$((SECONDS + ES_WAIT_SECS))
  printf 'es: waiting for %s ' "$(base_url)"
  while ((SECONDS < deadline)); do
    if http_get "$url" 3 >/dev/null; then
      printf ' up\n'
      return 0
    fi
    printf '.'
    sleep 1
  done
  printf ' timed out\n'
  [[ -z "${ES_URL:-}" ]] && show_log
  die "Elasticsearch did not reach status yellow within ${ES_WAIT_SECS}s at $(base_url)"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE" "$PORT_FILE"
    if [[ -n "${ES_URL:-}" ]]; then
      say "using ES_URL=$ES_URL; stopping nothing"
    else
      say "no node started by this checkout is running"
    fi
    return 0
  fi
  say "stopping Elasticsearch (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 30; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "still running after 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PID_FILE" "$PORT_FILE"
  say "stopped"
}

cmd_status() {
  local pid health
  if pid="$(running_pid)"; then
    say "node started by this checkout runs: pid $pid, port $(cat "$PORT_FILE" 2>/dev/null || echo '?')"
  elif [[ -z "${ES_URL:-}" ]]; then
    say "no node started by this checkout is running"
  fi
  if health="$(http_get "$(base_url)/_cluster/health" 3)"; then
    say "$(base_url) answers: $health"
  else
    say "nothing answers on $(base_url)"
    return 1
  fi
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  wait) cmd_wait ;;
  *) echo "usage: $0 fetch|start|stop|status|wait" >&2; exit 2 ;;
esac
