"""Failure injection against real Elasticsearch nodes, with the app under load (loopback only).

    python scripts/chaos.py [--only single|cluster|reindex] [--port 9500] [--load-seconds 20]

Scenarios (each starts its own nodes with scripts/cluster.sh under .cache/chaos-*, and stops them):
  single   one node stopped under load: every answer must be 200 or 503 (never 500), the 503s within
           2 s (JSON API, Persian HTML page, /healthz); the node started again on the same data: the
           app must answer 200 within 5 s of the node answering, by itself.
  cluster  three nodes, the catalog indexed with 2 shards and 1 replica, the app given all three
           URLs (ES_URL comma-separated); one node killed (SIGKILL) under load: zero failed searches,
           every answer complete (same totals as before), the index still searchable, health yellow.
  reindex  a reindex (new version, alias swap) under load on the cluster: zero failed searches.

Prints one line per check and a summary; exit status 1 if any check failed.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from indexer.client import make_client  # noqa: E402
from indexer.config import ESSettings  # noqa: E402
from indexer.reindex import reindex  # noqa: E402
from scripts.appserver import serve_app  # noqa: E402

CLUSTER = ROOT / "scripts" / "cluster.sh"
UNAVAILABLE_FA = "سامانه جست‌وجو در دسترس نیست"
QUERIES = [{"q": "تمدید گذرنامه"}, {"q": "گواهینامه رانندگی"}, {"q": "یارانه"}, {"topic": "identity"},
           {"q": "مالیات", "delivery": "online"}, {"q": "ثبت شرکت"}]
FAILED: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"  [{'ok' if ok else 'FAIL'}] {what}", flush=True)
    if not ok:
        FAILED.append(what)


def log(msg: str) -> None:
    print(f"chaos: {msg}", flush=True)


class Nodes:
    def __init__(self, count: int, port: int, heap: str = "512m") -> None:
        self.count, self.port = count, port
        self.env = {**os.environ, "CLUSTER_NODES": str(count), "CLUSTER_PORT": str(port), "ES_HEAP": heap,
                    "CLUSTER_DIR": str(ROOT / ".cache" / f"chaos-{port}")}
        self.env.pop("ES_URL", None)
        self.urls = [f"http://127.0.0.1:{port + i}" for i in range(count)]

    def sh(self, *args: str, timeout: float = 240) -> None:
        subprocess.run([str(CLUSTER), *args], env=self.env, check=True, timeout=timeout)

    def answers(self, i: int = 0) -> bool:
        try:
            return httpx.get(f"{self.urls[i]}/_cluster/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False


@contextmanager
def nodes(count: int, port: int) -> Iterator[Nodes]:
    n = Nodes(count, port)
    n.sh("start")
    try:
        yield n
    finally:
        n.sh("clean", timeout=120)


@contextmanager
def app(es_url: str, alias: str) -> Iterator[str]:
    app_log = ROOT / ".cache" / "chaos-app.log"   # each 503 logs a warning: keep them out of the report
    app_log.parent.mkdir(parents=True, exist_ok=True)
    with app_log.open("a") as log_file, \
            serve_app({"ES_URL": es_url, "PANJEREH_INDEX": alias, "QUERY_LOG": "false"}, stderr=log_file) as (url, _pid):
        yield url


@dataclass
class Load:
    """`clients` threads searching in a loop (API, some HTML), bounded in time and count."""

    url: str
    clients: int = 4
    max_seconds: float = 180
    results: list[tuple[float, object, float, str, int | None]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def _worker(self, k: int) -> None:
        began = time.monotonic()
        with httpx.Client(base_url=self.url, timeout=10) as http:
            i = k
            while not self.stop.is_set() and time.monotonic() - began < self.max_seconds and i < 50_000:
                params = QUERIES[i % len(QUERIES)]
                path = "/" if i % 5 == 0 else "/api/search"
                t0 = time.monotonic()
                total = None
                try:
                    r = http.get(path, params=params)
                    status: object = r.status_code
                    if path == "/api/search" and r.status_code == 200:
                        total = r.json()["total"]
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                self.results.append((t0, status, time.monotonic() - t0, f"{path}?{params}", total))
                i += self.clients
                time.sleep(0.01)

    def __enter__(self) -> "Load":
        self.threads = [threading.Thread(target=self._worker, args=(k,), daemon=True) for k in range(self.clients)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(30)


def index_catalog(es_url: str, alias: str, shards: int = 1, replicas: int = 0) -> ESSettings:
    """Index the catalog for a scenario. This setup client (not the app's) waits up to 60 s a request:
    freshly started nodes on a busy 2-core machine can take longer than ES_TIMEOUT to answer."""
    env = {**os.environ, "ES_URL": es_url, "ES_TIMEOUT": "60"}
    settings = replace(ESSettings.from_env(env), alias=alias)
    es = make_client(settings)
    result = reindex(es, alias, settings.data_dir, shards=shards, replicas=replicas, workers=1)
    log(f"indexed {result.report.summary()} into {result.index} ({shards} shard(s), {replicas} replica(s))")
    es.close()
    return settings


def single(port: int, load_seconds: float) -> None:
    log("scenario single: one node stopped and started again under load")
    with nodes(1, port) as n, app(n.urls[0], "bench-chaos-single") as url:
        index_catalog(n.urls[0], "bench-chaos-single")
        with Load(url, clients=4) as load:
            time.sleep(load_seconds / 4)
            stopped_at = time.monotonic()
            n.sh("kill", "0", "TERM")
            log(f"node stopped ({time.monotonic() - stopped_at:.1f} s to shut down)")
            with httpx.Client(base_url=url, timeout=10) as http:
                t0 = time.monotonic(); api = http.get("/api/search", params=QUERIES[0]); t_api = time.monotonic() - t0
                t0 = time.monotonic(); page = http.get("/", params=QUERIES[0]); t_page = time.monotonic() - t0
                t0 = time.monotonic(); health = http.get("/healthz"); t_health = time.monotonic() - t0
            check(api.status_code == 503 and t_api < 2 and "error" in api.json(),
                  f"API answers 503 JSON in {t_api * 1000:.0f} ms")
            check(page.status_code == 503 and t_page < 2 and UNAVAILABLE_FA in page.text,
                  f"HTML answers the Persian 503 page in {t_page * 1000:.0f} ms")
            check(health.status_code == 503 and t_health < 2.5, f"/healthz answers 503 in {t_health * 1000:.0f} ms")
            time.sleep(load_seconds / 4)
            starter = threading.Thread(target=n.sh, args=("start-node", "0"), daemon=True)
            restart_began = time.monotonic()
            starter.start()
            while not n.answers() and time.monotonic() - restart_began < 180:
                time.sleep(0.05)
            es_back = time.monotonic()
            log(f"node answers again after {es_back - restart_began:.1f} s")
            recovered = None
            with httpx.Client(base_url=url, timeout=10) as http:
                while time.monotonic() - es_back < 15:
                    if http.get("/api/search", params=QUERIES[0]).status_code == 200:
                        recovered = time.monotonic() - es_back
                        break
                    time.sleep(0.05)
            starter.join(180)
            check(recovered is not None and recovered <= 5,
                  f"app recovered by itself {recovered if recovered is None else round(recovered, 2)} s after ES came back")
            time.sleep(load_seconds / 4)
        statuses: dict[object, int] = {}
        for _, status, _, _, _ in load.results:
            statuses[status] = statuses.get(status, 0) + 1
        slow_503 = [r for r in load.results if r[1] == 503 and r[2] >= 2]
        worst_503 = max((r[2] for r in load.results if r[1] == 503), default=0)
        check(set(statuses) <= {200, 503}, f"under load: answers {statuses} (never 500, no dropped connection)")
        check(not slow_503, f"every 503 under load within 2 s (slowest {worst_503 * 1000:.0f} ms)")


def cluster(port: int, load_seconds: float, also_reindex: bool) -> None:
    log("scenario cluster: three nodes, 2 shards × 1 replica; one node killed under load")
    alias = "bench-chaos-cluster"
    with nodes(3, port) as n:
        es_url = ",".join(n.urls)
        settings = index_catalog(es_url, alias, shards=2, replicas=1)
        es = make_client(settings)
        count = es.count(index=alias)["count"]
        with app(es_url, alias) as url:
            with httpx.Client(base_url=url, timeout=10) as http:
                baseline = {str(q): http.get("/api/search", params=q).json()["total"] for q in QUERIES
                            if "q" in q or "topic" in q}
            with Load(url, clients=4) as load:
                time.sleep(load_seconds / 3)
                master = es.cat.master(format="json")[0]["node"]
                victim = int(master.rsplit("-", 1)[1])
                killed_at = time.monotonic()
                log(f"killing node {victim} (the elected master, {master}) with SIGKILL")
                n.sh("kill", str(victim), "KILL")
                time.sleep(load_seconds / 3)
                survivors = ",".join(u for i, u in enumerate(n.urls) if i != victim)
                h_es = make_client(replace(settings, url=survivors))
                h = h_es.cluster.health(index=alias, wait_for_status="yellow", timeout="30s")
                check(h["status"] in ("yellow", "green") and h["active_primary_shards"] == 2,
                      f"after the kill: health {h['status']}, {h['active_primary_shards']}/2 primaries active, "
                      f"{h['unassigned_shards']} replica(s) unassigned, {h['number_of_nodes']} nodes")
                h_es.close()
                if also_reindex:
                    log("reindexing under load (new version, alias swap) with a node down")
                    r_es = make_client(replace(settings, url=survivors))
                    result = reindex(r_es, alias, settings.data_dir, shards=2, replicas=0)
                    log(f"reindexed into {result.index}: {result.report.summary()}")
                    r_es.close()
                time.sleep(load_seconds / 3)
            after = [r for r in load.results if r[0] >= killed_at]
            failed = [r for r in load.results if r[1] != 200]
            incomplete = [r for r in load.results
                          if r[4] is not None and r[3].split("?", 1)[1] in baseline and r[4] != baseline[r[3].split("?", 1)[1]]]
            check(not failed, f"{len(load.results)} searches ({len(after)} after the kill), failed: {len(failed)} "
                              f"{failed[:3] if failed else ''}")
            check(not incomplete, f"every answer complete (same totals as before the kill): {len(incomplete)} differ")
            worst = max((r[2] for r in after), default=0)
            log(f"slowest search after the kill: {worst * 1000:.0f} ms")
        es2 = make_client(replace(settings, url=survivors))
        health = es2.cluster.health(index=alias, wait_for_status="yellow", timeout="30s")
        check(health["status"] in ("yellow", "green") and health["number_of_nodes"] == 2,
              f"index searchable on the 2 remaining nodes: health {health['status']}, "
              f"{health['number_of_nodes']} nodes")
        check(es2.count(index=alias)["count"] == count, f"document count still {count}")
        es2.close()
        es.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["single", "cluster", "reindex"])
    parser.add_argument("--port", type=int, default=9500, help="first HTTP port for the nodes (and +10 for the cluster)")
    parser.add_argument("--load-seconds", type=float, default=20)
    args = parser.parse_args(argv)
    began = time.monotonic()
    if args.only in (None, "single"):
        single(args.port, args.load_seconds)
    if args.only in (None, "cluster", "reindex"):
        cluster(args.port + 10, args.load_seconds, also_reindex=args.only in (None, "reindex"))
    print(f"\nchaos: {'all checks passed' if not FAILED else f'{len(FAILED)} check(s) failed'} "
          f"in {time.monotonic() - began:.0f} s")
    for what in FAILED:
        print(f"  FAILED: {what}")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
