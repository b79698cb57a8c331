"""Resilience against a real Elasticsearch going away and coming back, and against reindexing under load.

- A throwaway single node (scripts/cluster.sh, its own port and data directory under .cache/) serves
  an app running under uvicorn in its own process; the node is stopped while requests keep coming:
  every answer is 200 or 503 (JSON for the API, the Persian page for HTML, /healthz 503), each
  within 2 s; the node is started again on the same data and the app answers 200 within 5 s of the
  node answering, by itself.
- A reindex (new version + alias swap) while a thread searches the alias: not one search fails.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch

from indexer.client import make_client
from indexer.config import ESSettings
from indexer.reindex import reindex
from scripts.appserver import serve_app
from tests.conftest import unique_alias

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = ROOT / "scripts" / "cluster.sh"
UNAVAILABLE_FA = "سامانه جست‌وجو در دسترس نیست"
QUERY = {"q": "تمدید گذرنامه"}


def free_port_pair() -> int:
    """A port P with P and P+100 free (the node's HTTP and transport ports)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 100 > 65535:
            continue
        with socket.socket() as t:
            try:
                t.bind(("127.0.0.1", port + 100))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair")


class Node:
    """One throwaway node driven through scripts/cluster.sh."""

    def __init__(self, port: int, directory: Path) -> None:
        self.port, self.directory = port, directory
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "CLUSTER_NODES": "1", "CLUSTER_PORT": str(port),
                    "CLUSTER_DIR": str(directory), "ES_HEAP": "256m",
                    "CLUSTER_JAVA_OPTS": "-XX:TieredStopAtLevel=1", "ES_WAIT_SECS": "90"}
        self.env.pop("ES_URL", None)

    def run(self, *args: str, timeout: float = 150) -> None:
        subprocess.run([str(CLUSTER), *args], env=self.env, check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self.run("start")

    def stop(self) -> None:
        self.run("kill", "0", "TERM")

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/_cluster/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False


@pytest.fixture(scope="module")
def node() -> Iterator[Node]:
    if not shutil.which("java") or not shutil.which("curl"):
        pytest.skip("java and curl are needed to start a throwaway Elasticsearch node")
    port = free_port_pair()
    directory = ROOT / ".cache" / f"test-node-{port}"
    n = Node(port, directory)
    try:
        n.start()
        yield n
    finally:
        subprocess.run([str(CLUSTER), "clean"], env=n.env, timeout=120, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def app_url(node: Node, es_settings: ESSettings) -> Iterator[tuple[str, str]]:
    """The catalog indexed on the throwaway node, and the app serving it from its own process."""
    alias = unique_alias("resilience")
    settings = replace(es_settings, url=node.url, alias=alias)
    es = make_client(settings)
    reindex(es, alias, settings.data_dir)
    es.close()
    env = {"ES_URL": node.url, "PANJEREH_INDEX": alias, "QUERY_LOG": "false", "ES_TIMEOUT": "5",
           "ES_MAX_RETRIES": "2", "SEARCH_TIMEOUT": "0.8", "SEARCH_RETRIES": "1"}
    with serve_app(env) as (url, _pid):
        yield url, alias


class Load(threading.Thread):
    """Searches in a loop (JSON and HTML), recording (status, seconds, path) for every answer."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.results, self.stop_event = url, [], threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as http:
            i = 0
            while not self.stop_event.is_set() and i < 5000:
                path = ("/api/search", "/")[i % 2]
                began = time.monotonic()
                try:
                    status = http.get(path, params=QUERY).status_code
                except httpx.HTTPError as exc:
                    status = repr(exc)
                self.results.append((status, time.monotonic() - began, path))
                i += 1
                time.sleep(0.02)

    def finish(self) -> list:
        self.stop_event.set()
        self.join(30)
        return self.results


def timed_get(http: httpx.Client, path: str, **kwargs) -> tuple[httpx.Response, float]:
    began = time.monotonic()
    response = http.get(path, **kwargs)
    return response, time.monotonic() - began


@pytest.mark.slow
def test_elasticsearch_stopping_gives_fast_503s_and_the_app_recovers_by_itself(node, app_url):
    url, _alias = app_url
    http = httpx.Client(base_url=url, timeout=10)
    assert http.get("/api/search", params=QUERY).status_code == 200
    assert http.get("/healthz").status_code == 200

    load = Load(url)
    load.start()
    time.sleep(0.5)
    node.stop()
    assert not node.answers()

    api, took = timed_get(http, "/api/search", params=QUERY)
    assert api.status_code == 503 and took < 2, (api.status_code, took)
    assert api.headers["content-type"].startswith("application/json")
    assert "error" in api.json() and api.headers.get("retry-after")
    page, took = timed_get(http, "/", params=QUERY)
    assert page.status_code == 503 and took < 2, (page.status_code, took)
    assert page.headers["content-type"].startswith("text/html") and UNAVAILABLE_FA in page.text
    assert "Traceback" not in page.text
    health, took = timed_get(http, "/healthz")
    assert health.status_code == 503 and took < 2.5, (health.status_code, took)
    assert health.json()["status"] == "unavailable"
    service, took = timed_get(http, "/services/svc-1021")
    assert service.status_code == 503 and took < 2

    # ES comes back on the same data; the app must notice by itself
    starter = threading.Thread(target=node.start, daemon=True)
    starter.start()
    deadline = time.monotonic() + 150
    while not node.answers():
        assert time.monotonic() < deadline, "the node did not come back"
        time.sleep(0.1)
    es_back = time.monotonic()
    recovered = None
    while time.monotonic() < es_back + 10:
        if http.get("/api/search", params=QUERY, timeout=5).status_code == 200:
            recovered = time.monotonic() - es_back
            break
        time.sleep(0.1)
    starter.join(150)
    results = load.finish()
    http.close()
    assert recovered is not None and recovered <= 5, f"recovered after {recovered} s"

    statuses = {status for status, _, _ in results}
    assert statuses <= {200, 503}, f"answers under load: {statuses}"
    assert 503 in statuses and 200 in statuses
    slow = [(s, round(t, 2), p) for s, t, p in results if s == 503 and t >= 2]
    assert not slow, f"503s slower than 2 s: {slow[:5]}"


@pytest.mark.slow
def test_a_hung_node_gives_503_within_the_search_budget_and_the_app_recovers(node, app_url):
    """SIGSTOP freezes the node: it still accepts connections but never answers. The app gives up
    after SEARCH_TIMEOUT x (1 + SEARCH_RETRIES) = 1.6 s, not ES_TIMEOUT x (1 + ES_MAX_RETRIES) = 15 s."""
    url, _alias = app_url
    http = httpx.Client(base_url=url, timeout=20)
    assert http.get("/api/search", params=QUERY).status_code == 200
    pid = int((node.directory / "node-0" / "es.pid").read_text().strip())
    os.kill(pid, signal.SIGSTOP)
    try:
        api, took = timed_get(http, "/api/search", params=QUERY)
        assert api.status_code == 503 and took < 2.5, (api.status_code, took)
        assert "error" in api.json()
        page, took = timed_get(http, "/", params=QUERY)
        assert page.status_code == 503 and took < 2.5 and UNAVAILABLE_FA in page.text, (page.status_code, took)
    finally:
        os.kill(pid, signal.SIGCONT)
    deadline = time.monotonic() + 5
    while http.get("/api/search", params=QUERY).status_code != 200:
        assert time.monotonic() < deadline, "the app did not recover within 5 s of the node thawing"
        time.sleep(0.1)
    http.close()


@pytest.mark.slow
def test_a_reindex_under_query_load_fails_no_search(indexed, es: Elasticsearch, client):
    """Searches on the alias never fail while a new version is loaded and the alias swapped."""
    alias = indexed.alias
    failures: list = []
    answered = 0
    stop = threading.Event()

    def searching() -> None:
        nonlocal answered
        reader = make_client(indexed)
        n = 0
        while not stop.is_set() and n < 20_000:
            n += 1
            try:
                r = reader.search(index=alias, query={"match": {"title": "گذرنامه"}}, size=3)
                if r["hits"]["total"]["value"] < 1:
                    failures.append("no hits")
                answered += 1
            except Exception as exc:  # noqa: BLE001 - any failure counts
                failures.append(repr(exc))
        reader.close()

    api_statuses: list[int] = []
    thread = threading.Thread(target=searching, daemon=True)
    thread.start()
    try:
        before = es.indices.get_alias(name=alias).body
        result = reindex(es, alias, indexed.data_dir, keep_old=0)
        for _ in range(20):
            api_statuses.append(client.get("/api/search", params=QUERY).status_code)
    finally:
        stop.set()
        thread.join(30)
    assert result.index not in before and list(es.indices.get_alias(name=alias).body) == [result.index]
    assert answered > 0
    assert not failures, failures[:5]
    assert set(api_statuses) == {200}
