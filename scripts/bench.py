"""Benchmark: the real indexer and the search API, each against raw Elasticsearch, in the same run.

    python scripts/bench.py [--docs N] [--quick] [--workers W] [--concurrency 1,4,16]
                            [--duration S] [--app-workers 1,2] [--own-node PORT] [--heap 2g]

1. Catalog: scripts/gen_catalog.py expands data/ to N synthetic services (seeded; reused if present).
2. Indexing, same Elasticsearch, same chunk size (indexer.bulk.CHUNK), each into a fresh
   `bench-*` index with the production mapping and ES_SHARDS shards, timed up to a refresh:
     raw   documents already built (normalized, stemmed, serialized) streamed from a file with
           `streaming_bulk`: the rate Elasticsearch itself can take;
     real  `indexer.bulk.load` on the part files: read, validate, normalize (hazm), build, bulk.
3. Ranking at scale (scripts/scale_relevance.py): the dev and holdout queries on that index, each
   result read as the real service it varies; success@1/@3 and MRR, beside the speed that follows.
4. Querying, against the index the real indexer built: a query mix (tests/relevance/dev-queries.jsonl
   with facet filters and second pages), as
     es    every search the app sends for each request (search_app/search.py: the page and the
           count search of each group of facets), in one `_msearch`, as the app sends them;
     app   the same searches as GET /api/search on the app under uvicorn (separate processes),
   with wrk (rotating requests from a Lua script) at each concurrency for a bounded duration.
   `--floor` adds, between the two, the same msearch bodies through scripts/forwarder.py: the app's
   stack (uvicorn, Starlette, the official client, a JSON round trip) with no search logic, the
   least any Python app in front of Elasticsearch costs here.
   The app's RSS (all uvicorn processes) is read after each run. The mix repeats its requests, so
   Elasticsearch's shard request cache answers repeated counts (size-0 searches) as it would for
   repeated citizens' searches; `--no-request-cache` turns it off on the queried index. The node's
   query cache likewise keeps the bitsets of filters seen often (the selections, and the first
   pass's clauses that find without ranking, search_app/relevance.py `_found`): the mix repeats
   every filter within seconds, where citizens' rarer searches would find them uncached.
   `--no-query-cache` turns it off on the queried index (closed and reopened: a static setting).

Everything runs on loopback; every index this creates is named bench-* and deleted at the end.
Elasticsearch: ES_URL / ES_PORT as for the app, or --own-node PORT to start a dedicated node with
scripts/cluster.sh (stopped at the end). Results also go to .cache/bench/results-<time>.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elasticsearch import Elasticsearch  # noqa: E402
from elasticsearch.helpers import streaming_bulk  # noqa: E402

from indexer.bulk import CHUNK, build_documents, load  # noqa: E402
from indexer.client import make_client  # noqa: E402
from indexer.config import ESSettings  # noqa: E402
from indexer.records import Record, catalog_files, read_lines, read_records  # noqa: E402
from indexer.progress import Progress  # noqa: E402
from indexer.reindex import loading_body, settle  # noqa: E402
from indexer.taxonomy import load_taxonomy  # noqa: E402
from scripts.appserver import APP, serve_app  # noqa: E402
from scripts.gen_catalog import DATA, generate  # noqa: E402
from scripts import scale_relevance  # noqa: E402
from search_app.catalog import load_catalog  # noqa: E402
from search_app.params import SearchParams, parse  # noqa: E402
from search_app import vocabulary  # noqa: E402
from search_app.config import Settings  # noqa: E402
from search_app.query import Bodies  # noqa: E402

CACHE = ROOT / ".cache" / "bench"
PY = sys.executable


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- Elasticsearch

@contextmanager
def own_node(port: int, heap: str) -> Iterator[str]:
    env = {**os.environ, "CLUSTER_NODES": "1", "CLUSTER_PORT": str(port), "ES_HEAP": heap,
           "CLUSTER_DIR": str(ROOT / ".cache" / f"bench-node-{port}")}
    log(f"starting a dedicated node on port {port} (heap {heap})")
    subprocess.run([str(ROOT / "scripts" / "cluster.sh"), "start"], env=env, check=True,
                   stdout=sys.stderr)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([str(ROOT / "scripts" / "cluster.sh"), "clean"], env=env, check=False,
                       stdout=sys.stderr)


def new_index(es: Elasticsearch, label: str, shards: int = 1) -> str:
    """A bench-* index set up as indexer.reindex sets up a new version for loading (ES_SHARDS shards)."""
    name = f"bench-{label}-{os.getpid()}-{int(time.time())}"
    body = loading_body(shards)
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    return name


def drop(es: Elasticsearch, pattern: str) -> None:
    """Delete bench-* indexes by name (the node refuses wildcard deletes: destructive_requires_name)."""
    assert pattern.startswith("bench-"), pattern
    names = list(es.indices.get(index=pattern, allow_no_indices=True, expand_wildcards="open,closed").body)
    if names:
        es.indices.delete(index=",".join(names))


# --------------------------------------------------------------------------- indexing

def code_hash() -> str:
    h = hashlib.sha256()
    for rel in ("indexer/documents.py", "analyzers/normalize.py", "analyzers/stem.py"):
        h.update((ROOT / rel).read_bytes())
    return h.hexdigest()[:12]


def prebuilt_docs(data_dir: Path, workers: int) -> Path:
    """The documents of every valid record, built once by the indexer's own code: `id<TAB>json`."""
    path = CACHE / f"docs-{data_dir.name}-{code_hash()}.tsv"
    if path.is_file():
        log(f"reusing pre-built documents {path.relative_to(ROOT)}")
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    for stale in CACHE.glob(f"docs-{data_dir.name}-*.tsv"):
        stale.unlink()
    taxonomy = load_taxonomy(data_dir)
    records = (r for r in read_records(catalog_files(data_dir), taxonomy) if isinstance(r, Record))
    began, n = time.perf_counter(), 0
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for record, doc in build_documents(records, taxonomy, workers):
            out.write(record.id + "\t" + json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
            n += 1
            if n % 50_000 == 0:
                log(f"pre-building documents: {n} ({n / (time.perf_counter() - began):.0f}/s)")
    tmp.replace(path)
    log(f"pre-built {n} documents in {time.perf_counter() - began:.0f} s")
    return path


def raw_bulk(es: Elasticsearch, index: str, docs: Path, limit: int | None = None,
             total: int | None = None) -> tuple[int, float]:
    def actions() -> Iterator[dict[str, Any]]:
        with docs.open("rb") as handle:
            for n, line in enumerate(handle):
                if limit is not None and n >= limit:
                    return
                doc_id, _, source = line.rstrip(b"\n").partition(b"\t")
                # bytes pass through the client's serializer untouched: no JSON work in this process
                yield {"_index": index, "_id": doc_id.decode(), "_source": source}

    began = time.perf_counter()
    ok = 0
    progress = Progress(f"raw _bulk into {index}", limit or total, every=10.0)
    for success, _ in streaming_bulk(es, actions(), chunk_size=CHUNK, raise_on_error=False,
                                     raise_on_exception=False, max_retries=3):
        ok += success
        progress.advance()
    progress.finish()
    es.indices.refresh(index=index)
    return ok, time.perf_counter() - began


def real_load(es: Elasticsearch, index: str, data_dir: Path, workers: int) -> tuple[int, int, float]:
    taxonomy = load_taxonomy(data_dir)
    paths = catalog_files(data_dir)
    total = sum(1 for _ in read_lines(paths))
    began = time.perf_counter()
    report = load(es, index, read_records(paths, taxonomy), taxonomy, total=total, workers=workers,
                  progress_every=10.0)
    es.indices.refresh(index=index)
    return report.indexed, report.rejected, time.perf_counter() - began


# --------------------------------------------------------------------------- querying

def query_mix(data_dir: Path, limit: int) -> list[list[tuple[str, str]]]:
    """Parameter lists: every dev query alone, with a facet filter, on page 2; some filter-only."""
    catalog = load_catalog(data_dir)
    queries = [json.loads(line)["q"] for line in (ROOT / "tests/relevance/dev-queries.jsonl").open(encoding="utf-8")
               if line.strip()]
    topics = sorted(catalog.taxonomy.labels["topics"])
    orgs = sorted(catalog.taxonomy.organizations)
    mix: list[list[tuple[str, str]]] = []
    for i, q in enumerate(queries):
        mix.append([("q", q)])
        variant = i % 5
        if variant == 0:
            mix.append([("q", q), ("topic", topics[i % len(topics)])])
        elif variant == 1:
            mix.append([("q", q), ("delivery", "online")])
        elif variant == 2:
            mix.append([("q", q), ("page", "2")])
        elif variant == 3:
            mix.append([("q", q), ("organization", orgs[i % len(orgs)]), ("audience", "citizens")])
        else:
            mix.append([("topic", topics[i % len(topics)])])
    return mix[:limit]


LUA = r"""
local reqs = {}
local method, path = "%(method)s", "%(path)s"
init = function(args)
  local f = assert(io.open("%(file)s", "r"))
  for line in f:lines() do
    if method == "GET" then
      reqs[#reqs + 1] = wrk.format("GET", line)
    else
      -- an msearch body, its lines joined with tabs (JSON escapes every tab inside a string)
      reqs[#reqs + 1] = wrk.format("POST", path, {["Content-Type"] = "application/x-ndjson"},
                                   (line:gsub("\t", "\n")) .. "\n")
    end
  end
  f:close()
  i = 0
end
request = function()
  i = i %% #reqs + 1
  return reqs[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  -- the latencies' quantiles at the midpoints of %(grid)d equal shares: runs of the same kind are pooled
  local grid = {}
  for k = 1, %(grid)d do
    grid[k] = string.format("%%d", latency:percentile(100 * (k - 0.5) / %(grid)d))
  end
  io.write(string.format("JSON {\"requests\":%%d,\"duration_us\":%%d,\"p50\":%%d,\"p90\":%%d,\"p99\":%%d,\"max\":%%d,"
    .. "\"status_errors\":%%d,\"connect\":%%d,\"read\":%%d,\"write\":%%d,\"timeout\":%%d,\"grid\":[%%s]}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect, e.read, e.write, e.timeout, table.concat(grid, ",")))
end
"""
GRID = 1000   # quantiles a wrk run reports (`pooled`)


def es_request(es: Elasticsearch, index: str, params: SearchParams, bodies: Bodies) -> str:
    """The msearch the app sends to Elasticsearch for `params` (search_app/search.py: the page and
    the count search of each group of facets): the same bytes, with tabs for newlines (JSON escapes
    every newline inside a string)."""
    planned = bodies(params, vocabulary.catalog_words(es, index, params.q))
    return planned.payload.decode("utf-8").rstrip("\n").replace("\n", "\t")


def query_cache(es: Elasticsearch, index: str, enabled: bool | None) -> None:
    """Set `index.queries.cache.enabled` (None: the default, on), a static setting: the index is closed,
    set, reopened, and waited for until its shards serve again."""
    log(f"{index}: query cache {'default' if enabled is None else 'on' if enabled else 'off'} (closing and reopening)")
    es.indices.close(index=index)
    es.indices.put_settings(index=index, settings={"index.queries.cache.enabled": enabled})
    es.indices.open(index=index, wait_for_active_shards="all")
    es.cluster.health(index=index, wait_for_status="yellow", timeout="120s")


def other_open_indexes(es: Elasticsearch, index: str, min_docs: int) -> dict[str, int]:
    """Open indexes of at least `min_docs` documents on the node besides `index` (and Elasticsearch's
    own), with their documents."""
    rows = es.cat.indices(format="json", h="index,status,docs.count", expand_wildcards="open")
    return {r["index"]: int(r["docs.count"] or 0) for r in rows
            if r["index"] != index and not r["index"].startswith(".") and r["status"] == "open"
            and int(r["docs.count"] or 0) >= min_docs}


def wrk(url: str, lua: Path, concurrency: int, duration: int) -> dict[str, Any]:
    cmd = ["wrk", "-t1", f"-c{concurrency}", f"-d{duration}s", "--timeout", "5s", "-s", str(lua), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    match = re.search(r"^JSON (.*)$", out.stdout, re.M)
    if not match:
        raise RuntimeError(f"wrk gave no result: {out.stdout}\n{out.stderr}")
    r = json.loads(match.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = r["status_errors"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
    for k in ("p50", "p90", "p99", "max"):
        r[k] = r[k] / 1000.0  # ms
    r["grid"] = [v / 1000.0 for v in r["grid"]]
    return r


def pooled(runs: list[dict[str, Any]], percent: float) -> float:
    """A percentile of the latencies of several wrk runs taken together, in ms: each run's quantile
    grid stands for its requests in equal shares. Runs of one kind alternate with the other kinds
    (`--query-rounds`), so a drift of the machine's load reaches every kind alike; pooling them reads
    the p99 of all their requests, where a median of each run's p99 (~20 slowest requests of ~2,000)
    moves with single slow seconds."""
    weighted = sorted((v, r["requests"] / len(r["grid"])) for r in runs for v in r["grid"])
    target, seen = percent / 100 * sum(w for _, w in weighted), 0.0
    for value, weight in weighted:
        seen += weight
        if seen >= target - 1e-9:
            return value
    return weighted[-1][0]


def _tree(pid: int) -> list[int]:
    """A process and its children (uvicorn's workers)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for t in Path(f"/proc/{p}/task").iterdir():
                kids = (t / "children").read_text().split()
                todo.extend(int(k) for k in kids)
        except OSError:
            pass
    return pids


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and its children, in MiB."""
    total = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def tree_cpu_ms(pid: int) -> float:
    """CPU time (user + system) a process and its children have used, in ms."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])   # utime, stime (fields 14 and 15 of stat)
    return total * 1000 / tick


def es_cpu_ms(es: Elasticsearch) -> float:
    """CPU time the cluster's Elasticsearch processes have used, in ms (as the nodes report it)."""
    nodes = es.nodes.stats(metric="process")["nodes"].values()
    return float(sum(n["process"]["cpu"]["total_in_millis"] for n in nodes))


def machine_ticks(stat: str | None = None) -> tuple[int, int]:
    """(steal, all) CPU time of the machine so far, in ticks, from /proc/stat's first line (or `stat`):
    steal is time the hypervisor gave this machine's CPUs to another tenant. (0, 0) where there is no
    /proc/stat."""
    if stat is None:
        try:
            stat = Path("/proc/stat").read_text()
        except OSError:
            return 0, 0
    # cpu user nice system idle iowait irq softirq steal [guest guest_nice: already in user and nice]
    ticks = [int(t) for t in stat.split("\n", 1)[0].split()[1:9]]
    return ticks[7], sum(ticks)


def steal_pct(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of the machine's CPU time taken by other tenants between two `machine_ticks`, in %."""
    total = after[1] - before[1]
    return 100 * (after[0] - before[0]) / total if total > 0 else 0.0


def measured(run: Callable[[], dict[str, Any]], es: Elasticsearch, app_pid: int | None = None) -> dict[str, Any]:
    """A wrk run with the CPU time each request cost Elasticsearch and, if given, the app, and the share
    of the machine's CPU other tenants took meanwhile (steal: one reason a side is slower in one round)."""
    es_before, app_before = es_cpu_ms(es), tree_cpu_ms(app_pid) if app_pid else 0.0
    machine_before = machine_ticks()
    r = run()
    r["steal_pct"] = steal_pct(machine_before, machine_ticks())
    n = max(1, r["requests"])
    r["es_cpu_ms"] = (es_cpu_ms(es) - es_before) / n
    if app_pid:
        r["app_cpu_ms"] = (tree_cpu_ms(app_pid) - app_before) / n
    return r


@contextmanager
def app_server(es_url: str, alias: str, data_dir: Path, workers: int,
               factory: str = APP) -> Iterator[tuple[str, int]]:
    # The app gets the time budget wrk gives raw Elasticsearch (--timeout 5s), no retry: with the
    # production default (SEARCH_TIMEOUT 1.5 s x 2) an overloaded node shows up as app 503s instead
    # of as latency, and the two columns would not measure the same thing.
    env = {"ES_URL": es_url, "PANJEREH_INDEX": alias, "PANJEREH_DATA": str(data_dir),
           "SEARCH_TIMEOUT": "5", "SEARCH_RETRIES": "0"}
    with serve_app(env, workers=workers, stderr=sys.stderr, factory=factory) as served:
        yield served


FORWARDER = "scripts.forwarder:create_app"


def warm(url: str, lua: Path, seconds: int = 3) -> None:
    wrk(url, lua, 4, seconds)


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=None, help="services to generate (default 50000; "
                        "--quick: 20000)")
    parser.add_argument("--quick", action="store_true", help="fewer documents, shorter runs")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="indexer processes")
    parser.add_argument("--concurrency", default="1,4,16")
    parser.add_argument("--duration", type=int, default=None, help="seconds per query run (default 15; quick 5)")
    parser.add_argument("--app-workers", default="1,2", help="uvicorn worker counts to measure")
    parser.add_argument("--own-node", type=int, default=None, metavar="PORT",
                        help="start a dedicated Elasticsearch node on PORT (scripts/cluster.sh) for the run")
    parser.add_argument("--heap", default="2g", help="heap of the --own-node node")
    parser.add_argument("--skip-index", action="store_true", help="query benchmark only (indexes with the raw path)")
    parser.add_argument("--no-query", action="store_true", help="indexing benchmark only")
    parser.add_argument("--rounds", type=int, default=1, help="index raw and real this many times each, "
                        "alternating raw, real, real, raw, ... (the rates are totals over the rounds)")
    parser.add_argument("--no-request-cache", action="store_true",
                        help="turn Elasticsearch's shard request cache off on the queried index: every count "
                             "computed afresh (the mix repeats its requests)")
    parser.add_argument("--no-query-cache", action="store_true",
                        help="turn the node's query cache off on the queried index: every filter computed afresh "
                             "(the mix repeats its filters within seconds; the index is closed and reopened)")
    parser.add_argument("--query-rounds", type=int, default=1, metavar="N",
                        help="run each side (Elasticsearch alone, the app) N times at each concurrency, in turn and "
                             "in the other order every second round; the p99s are judged on all the rounds' "
                             "requests pooled (a p99 of one 20 s run moves by tens of ms on these machines)")
    parser.add_argument("--max-steal", type=float, default=5.0, metavar="P",
                        help="a round in whose runs other tenants took more than P%% of the machine's CPU (steal) "
                             "is run again, up to N more rounds a level, and left out of the verdicts (shown "
                             "with them too); 100: keep every round")
    parser.add_argument("--warm", type=int, default=3, metavar="S",
                        help="seconds of load before measuring (a node just started needs a minute or two)")
    parser.add_argument("--floor", action="store_true",
                        help="also measure scripts/forwarder.py (the app's stack, no search logic) at each level")
    parser.add_argument("--keep", action="store_true", help="keep the bench index (and its alias) at the end")
    parser.add_argument("--index", default=None, metavar="NAME",
                        help="query benchmark only, on an index an earlier run kept (--keep); give --docs too")
    args = parser.parse_args(argv)
    docs = args.docs or (20_000 if args.quick else 50_000)
    duration = args.duration or (5 if args.quick else 15)
    levels = [int(c) for c in args.concurrency.split(",")]
    app_workers = [int(w) for w in args.app_workers.split(",")]

    import shutil
    if not shutil.which("wrk"):
        raise SystemExit("bench: wrk is needed for the query benchmark: apt-get install -y wrk")

    with (own_node(args.own_node, args.heap) if args.own_node else _configured_es()) as es_url:
        return run(es_url, docs, args, duration, levels, app_workers)


@contextmanager
def _configured_es() -> Iterator[str]:
    yield ESSettings.from_env().url


def index_runs(es: Elasticsearch, args: argparse.Namespace, docs: int, data_dir: Path,
               results: dict[str, Any], shards: int) -> str:
    """The indexing benchmark; returns the index the real indexer built (raw with --skip-index)."""
    docs_file = prebuilt_docs(data_dir, args.workers)
    # warm the node's JIT and caches on a small index first
    warm_index = new_index(es, "warm")
    raw_bulk(es, warm_index, docs_file, limit=min(5_000, docs))
    drop(es, warm_index)

    # raw and real alternate (raw, real, real, raw, ... with --rounds 2+): the machine's load drifts
    order = ["raw", "real"] if args.rounds <= 1 else (["raw", "real", "real", "raw"] * args.rounds)[:2 * args.rounds]
    if args.skip_index:
        order = ["raw"]
    totals = {"raw": [0, 0.0], "real": [0, 0.0]}
    rejected_total = 0
    query_index = None
    for step, kind in enumerate(order):
        last_of_kind = kind not in order[step + 1:]
        index = new_index(es, kind, shards)
        if kind == "raw":
            log(f"raw _bulk of {docs} pre-built documents into {index}")
            ok, seconds = raw_bulk(es, index, docs_file, total=docs)
        else:
            log(f"real indexer (workers={args.workers}) into {index}")
            ok, rejected, seconds = real_load(es, index, data_dir, args.workers)
            rejected_total += rejected
        totals[kind][0] += ok
        totals[kind][1] += seconds
        log(f"{kind}: {ok} in {seconds:.1f} s = {ok / seconds:.0f} docs/s")
        keep = last_of_kind and (kind == "real" or args.skip_index)
        if keep:
            query_index = index
        else:
            drop(es, index)
    rounds = max(1, args.rounds)
    raw_ok, raw_s = totals["raw"]
    results["raw"] = {"indexed": raw_ok // rounds, "seconds": raw_s / rounds, "docs_per_s": raw_ok / raw_s,
                      "rounds": rounds}
    if not args.skip_index:
        ok, real_s = totals["real"]
        results["real"] = {"indexed": ok // rounds, "rejected": rejected_total // rounds,
                           "seconds": real_s / rounds, "docs_per_s": ok / real_s, "rounds": rounds}
        results["ratio"] = (ok / real_s) / (raw_ok / raw_s)
        log(f"real / raw = {100 * results['ratio']:.0f}%")
    assert query_index is not None
    return query_index


def run(es_url: str, docs: int, args: argparse.Namespace, duration: int, levels: list[int],
        app_workers: list[int]) -> int:
    settings = ESSettings.from_env({**os.environ, "ES_URL": es_url, "ES_TIMEOUT": "120"})
    es = make_client(settings)
    es.cluster.health(wait_for_status="yellow", timeout="60s")
    results: dict[str, Any] = {"docs": docs, "workers": args.workers, "es_url": es_url,
                               "cpus": os.cpu_count(), "shards": settings.shards,
                               "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    tag = f"{os.getpid()}"
    alias = f"bench-alias-{tag}"
    try:
        data_dir = generate(docs, quiet=False)
        if args.index:
            query_index = args.index
            log(f"querying the existing index {query_index} (no indexing run)")
        else:
            query_index = index_runs(es, args, docs, data_dir, results, settings.shards)
        es.indices.update_aliases(actions=[{"add": {"index": query_index, "alias": alias}}])
        # as indexer.reindex leaves a new version: merged, then refreshed as usual
        began = time.perf_counter()
        settle(es, query_index, replicas=0, merge_segments=1, log=log)
        results["merge_s"] = time.perf_counter() - began

        # ------------------------------------------------ queries
        if args.no_query:
            return _finish(results)
        results["other_indexes"] = others = other_open_indexes(es, query_index, docs // 10)
        if others:
            log(f"warning: the node also holds {len(others)} other open index(es) of "
                f"{sum(others.values()):,} documents ({', '.join(sorted(others))}): their heap can push the "
                "old generation over G1's marking threshold and its remark pauses into the p99 (README: "
                "the node's heap); close them for figures of this index alone")
        results["relevance"] = scale_relevance.measure(es, alias, data_dir, scale_relevance.load_queries(
            scale_relevance.QUERIES), scale_relevance.RealServices.of(DATA), log=log)
        log("relevance at scale: " + scale_relevance.line(results["relevance"]))
        CACHE.mkdir(parents=True, exist_ok=True)
        catalog = load_catalog(data_dir)
        mix = query_mix(data_dir, 1000)
        paths_file, bodies_file = CACHE / f"app-{tag}.txt", CACHE / f"es-{tag}.txt"
        bodies = Bodies(catalog.best_bets, exact_limit=Settings.from_env().exact_limit,
                        shards=scale_relevance.shards(es, alias))
        es.indices.put_settings(index=query_index, settings={"index.requests.cache.enable": not args.no_request_cache})
        results["request_cache"] = not args.no_request_cache
        results["query_cache"] = not args.no_query_cache   # before: a failed reopen is still put back
        if args.no_query_cache:
            query_cache(es, query_index, False)
        with paths_file.open("w", encoding="utf-8") as pf, bodies_file.open("w", encoding="utf-8") as bf:
            for items in mix:
                params = parse(items, catalog.taxonomy)
                pf.write("/api/search?" + urlencode(items) + "\n")
                bf.write(es_request(es, alias, params, bodies) + "\n")
        app_lua, es_lua = CACHE / f"app-{tag}.lua", CACHE / f"es-{tag}.lua"
        app_lua.write_text(LUA % {"method": "GET", "path": "", "file": paths_file, "grid": GRID})
        es_lua.write_text(LUA % {"method": "POST", "path": f"/{alias}/_msearch", "file": bodies_file, "grid": GRID})
        floor_lua = CACHE / f"floor-{tag}.lua"
        floor_lua.write_text(LUA % {"method": "POST", "path": "/_msearch", "file": bodies_file, "grid": GRID})
        log(f"query mix: {len(mix)} requests; {duration} s per run; concurrency {levels}")
        results["queries"] = []
        warm(es_url, es_lua, args.warm)
        # the sides back to back at each level (the machine's load drifts)
        for w in app_workers:
            with app_server(es_url, alias, data_dir, w) as (url, pid), \
                    (app_server(es_url, alias, data_dir, w, FORWARDER) if args.floor else nullcontext()) as floor:
                warm(url, app_lua)
                if floor:
                    warm(floor[0], floor_lua)
                # what each side's wrk runs hit, in the order of odd rounds: (URL, Lua script, process
                # whose CPU is counted)
                targets = {"es": (es_url, es_lua, None),
                           **({"floor": (floor[0], floor_lua, floor[1])} if floor else {}),
                           "app": (url, app_lua, pid)}
                sides = list(targets)
                for c in levels:
                    quiet = tries = 0
                    while quiet < args.query_rounds and tries < 2 * args.query_rounds:
                        tries, n = tries + 1, quiet + 1
                        run = {"concurrency": c, "app_workers": w, "round": n}
                        # es, (floor,) app in odd rounds, the other way round in even ones: a drift of the
                        # machine's load within a round reaches both ends alike
                        for side in sides if n % 2 else sides[::-1]:
                            run[side] = measure_side(side, c, w, es, targets[side], duration)
                        steal = max(run[side]["steal_pct"] for side in sides)
                        run["disturbed"] = steal > args.max_steal
                        if run["disturbed"]:
                            again = ", and run again" if tries < 2 * args.query_rounds else " (no tries left)"
                            log(f"round {n} at c={c}: other tenants took {steal:.1f}% of the machine's CPU in one "
                                f"of its runs (over --max-steal {args.max_steal:g}%): left out{again}")
                        quiet += not run["disturbed"]
                        results["queries"].append(run)
    finally:
        if args.index:  # the alias goes; the index that was given stays, as it was
            es.indices.delete_alias(index=args.index, name=alias)
            es.indices.put_settings(index=args.index, settings={"index.requests.cache.enable": None})
            if results.get("query_cache") is False:   # only if it was turned off: a close and reopen
                query_cache(es, args.index, None)
        if not args.keep:
            drop(es, f"bench-*-{tag}-*")
            drop(es, f"bench-alias-{tag}*")  # side indexes the app made (query log)
        es.close()
    return _finish(results)


SIDE_LABEL = {"es": "es ", "floor": "fwd", "app": "app"}


def measure_side(side: str, c: int, w: int, es: Elasticsearch, target: tuple[str, Path, int | None],
                 duration: int) -> dict[str, Any]:
    """One wrk run at concurrency c on one side (Elasticsearch alone, the forwarder or the app), logged."""
    url, lua, pid = target
    r = measured(lambda: wrk(url, lua, c, duration), es, pid)
    line = f"{SIDE_LABEL[side]} c={c:<3} w={w} p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms  {r['rps']:.0f} req/s  " \
           f"errors {r['errors']}  CPU/request ES {r['es_cpu_ms']:.1f} ms"
    if pid:
        r["rss_mb"] = tree_rss_mb(pid)
        line += f" + {'app' if side == 'app' else 'forwarder'} {r['app_cpu_ms']:.1f} ms  RSS {r['rss_mb']:.0f} MiB"
    log(f"{line}  steal {r['steal_pct']:.1f}%")
    return r


def _finish(results: dict[str, Any]) -> int:
    report(results)
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"\nresults: {out.relative_to(ROOT)}")
    return 0


def _cpu(e: dict[str, Any], a: dict[str, Any]) -> str:
    if "es_cpu_ms" not in e:   # results of an older run
        return "–"
    return f"{e['es_cpu_ms']:.1f} / {a['es_cpu_ms']:.1f} + {a['app_cpu_ms']:.1f} ms"


def report(r: dict[str, Any]) -> None:
    rounds = r.get("raw", {}).get("rounds", 1)
    print(f"\n## Panjereh benchmark: {r['docs']:,} services, {r['cpus']} CPUs, indexer workers {r['workers']}"
          + (f", {r['shards']} shards" if r.get("shards", 1) > 1 and "raw" in r else "")
          + (f", {rounds} alternating rounds of each indexing run" if rounds > 1 else "") + "\n")
    if "raw" in r:
        print("| indexing | docs | seconds | docs/s |")
        print("|---|---:|---:|---:|")
        print(f"| raw `_bulk` (pre-built) | {r['raw']['indexed']:,} | {r['raw']['seconds']:.1f} | {r['raw']['docs_per_s']:,.0f} |")
        if "real" in r:
            print(f"| real indexer (hazm) | {r['real']['indexed']:,} | {r['real']['seconds']:.1f} | {r['real']['docs_per_s']:,.0f} |")
            ok = "meets" if r["ratio"] >= 0.8 else "MISSES"
            print(f"\nreal / raw = **{100 * r['ratio']:.0f}%** ({ok} the ≥ 80% target)\n")
    if "merge_s" in r:
        print(f"merging the index down to one segment per shard (as every reindex does): {r['merge_s']:.0f} s\n")
    if "relevance" in r:
        print(f"ranking at {r['docs']:,} services (scripts/scale_relevance.py): {scale_relevance.line(r['relevance'])}\n")
    off = [name for name, key in (("shard request cache", "request_cache"), ("query cache", "query_cache"))
           if r.get(key) is False]
    if off:
        print(f"{' and '.join(off)} off on the queried index\n")
    if r.get("other_indexes"):
        print(f"**the node also held other open indexes** ({', '.join(sorted(r['other_indexes']))}): their heap "
              "can put G1's remark pauses in the p99 (README: the node's heap)\n")
    print("| conc. | uvicorn workers | ES p50 | ES p99 | ES req/s | API p50 | API p99 | API req/s | API/ES req/s | "
          "errors (ES/API) | app RSS | CPU a request: ES alone / API (ES + app) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
    for q in r.get("queries", []):
        a, e = q["app"], q["es"]
        share = a["rps"] / e["rps"] if e["rps"] else 0
        again = f" (round {q['round']})" if q.get("round", 1) > 1 else ""
        again += " (disturbed)" if q.get("disturbed") else ""
        print(f"| {q['concurrency']}{again} | {q['app_workers']} | {e['p50']:.1f} ms | {e['p99']:.1f} ms | {e['rps']:,.0f} | "
              f"{a['p50']:.1f} ms | {a['p99']:.1f} ms | {a['rps']:,.0f} | {100 * share:.0f}% | "
              f"{e['errors']}/{a['errors']} | {a['rss_mb']:.0f} MiB | {_cpu(e, a)} |")
    verdicts(r.get("queries", []))


def p99_of(runs: list[dict[str, Any]], side: str) -> float:
    """A side's p99 over its rounds: all their requests pooled (`pooled`). A side measured once: its
    run's own p99, as wrk counts it (the grid's is within ~2%); results of an older run, which kept
    no quantile grid: the median of the rounds' p99s."""
    sides = [q[side] for q in runs]
    if len(sides) > 1 and all("grid" in r for r in sides):
        return pooled(sides, 99)
    return statistics.median(r["p99"] for r in sides)


def _floor(runs: list[dict[str, Any]], es_p99: float) -> str:
    """The forwarder's p99 beside the app's verdict (`--floor`): the gap any Python app pays."""
    if not all("floor" in q for q in runs):
        return ""
    p99 = p99_of(runs, "floor")
    cpu = statistics.median(q["floor"]["app_cpu_ms"] for q in runs)
    return f"; forwarder, no search logic: p99 {p99:.1f} ms ({p99 - es_p99:+.1f} over ES), {cpu:.1f} ms CPU a request"


def verdicts(queries: list[dict[str, Any]]) -> None:
    """The targets at each concurrency and worker count, over its rounds (p99s pooled, `p99_of`;
    throughput the median of the rounds' ratios)."""
    groups: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for q in queries:
        groups.setdefault((q["concurrency"], q["app_workers"]), []).append(q)
    if not groups:
        return
    print("\ntargets (API p99 ≤ ES p99 + 10 ms; API req/s ≥ 50% of ES; API p99 ≤ 50 ms one search at a time: "
          "with more at once on 2 cores searches queue, so that one is judged at concurrency 1)"
          + (", over the rounds (p99 of their requests pooled):" if any(len(g) > 1 for g in groups.values()) else ":"))
    for (c, w), every in groups.items():
        runs = [q for q in every if not q.get("disturbed")] or every
        app_p99, es_p99 = p99_of(runs, "app"), p99_of(runs, "es")
        share = statistics.median([q["app"]["rps"] / q["es"]["rps"] for q in runs if q["es"]["rps"]] or [0.0])
        rounds = f" ({len(runs)} rounds: API p99 {min(q['app']['p99'] for q in runs):.1f}–" \
                 f"{max(q['app']['p99'] for q in runs):.1f} ms)" if len(runs) > 1 else ""
        alone = f", p99 ≤ 50 ms {'ok' if app_p99 <= 50 else 'MISS'}" if c == 1 else ""
        print(f"  c={c:<3} w={w}: p99 vs ES {'ok' if app_p99 <= es_p99 + 10 else 'MISS'} "
              f"({app_p99:.1f} vs {es_p99:.1f} ms), throughput {'ok' if share >= 0.5 else 'MISS'}{alone}{rounds}"
              + _floor(runs, es_p99) + _disturbed(every, runs))


def _disturbed(every: list[dict[str, Any]], judged: list[dict[str, Any]]) -> str:
    """What the rounds left out (`--max-steal`) would have made of the p99s."""
    if len(judged) == len(every):
        return "" if not any(q.get("disturbed") for q in every) else "; every round disturbed by other tenants"
    app_p99, es_p99 = p99_of(every, "app"), p99_of(every, "es")
    return (f"; {len(every) - len(judged)} rounds disturbed by other tenants left out (with them: API p99 "
            f"{app_p99:.1f} vs {es_p99:.1f} ms, {app_p99 - es_p99:+.1f})")


if __name__ == "__main__":
    sys.exit(main())
