# Sourced by scripts/es.sh and scripts/cluster.sh (which define `say` and `die`): the Java to run
# Elasticsearch with, and the non-root user it must run as (Elasticsearch refuses root).

# The JDK: ES_JAVA_HOME, else the one `java` on PATH belongs to.
es_java_home() {
  local home="${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
  [[ -x "$home/bin/java" ]] || die "ES_JAVA_HOME=$home has no bin/java"
  printf '%s\n' "$home"
}

# Every directory above $1 must be traversable by the node's user, or it cannot reach its files.
make_reachable() {
  local -a parents=()
  local dir="$1" i
  while [[ "$dir" != "/" ]]; do
    dir="$(dirname "$dir")"
    parents=("$dir" "${parents[@]}")
  done
  # Top down: a directory can only be tested once the ones above it can be traversed.
  for ((i = 0; i < ${#parents[@]}; i++)); do
    dir="${parents[i]}"
    if ! runuser -u "$ES_USER" -- test -x "$dir" 2>/dev/null; then
      say "letting user $ES_USER traverse $dir (chmod o+x) so that it can reach its files"
      chmod o+x "$dir"
    fi
  done
}

# As root: create $ES_USER once, give it the directories named, let it reach them, and set
# AS_USER to the command prefix that runs as it. Otherwise AS_USER is empty (run as yourself).
prepare_es_user() {
  AS_USER=()
  [[ "$(id -u)" -eq 0 ]] || return 0
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    say "creating system user $ES_USER to run Elasticsearch (it refuses to run as root)"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
  fi
  chown -R "$ES_USER:" "$@"
  local dir
  for dir in "$@"; do
    make_reachable "$dir"
  done
  AS_USER=(runuser -u "$ES_USER" --)
}
