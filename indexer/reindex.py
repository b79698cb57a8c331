"""One full load: new version -> bulk -> refresh -> verify -> merge -> swap alias -> prune.

The new version is built for loading (no periodic refresh, no replicas) and then for reading: its
segments merged (a catalog index is never written again until the next version replaces it, and a
search over one segment costs about half of one over the ~20 a bulk load leaves), refresh back at
its default, replicas as configured.
"""
from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass
from pathlib import Path

from elasticsearch import Elasticsearch

from indexer import aliases
from indexer.bulk import LoadReport, load
from indexer.records import catalog_files, read_lines, read_records
from indexer.schema import index_body
from indexer.taxonomy import load_taxonomy


class LoadFailed(RuntimeError):
    """The new index did not check out; the alias was left untouched."""

    def __init__(self, message: str, report: LoadReport | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class ReindexResult:
    index: str
    report: LoadReport
    retired: list[str]
    pruned: list[str]


MERGE_POLL_S = 10.0
MERGE_TIMEOUT_S = 3600.0  # a million services merge in minutes; the request waits for it


def merge(es: Elasticsearch, index: str, segments: int, log=None, poll_s: float = MERGE_POLL_S) -> None:
    """Force-merge `index` down to `segments` segments, reporting progress while Elasticsearch works
    (the merge request waits for the merge, in a thread; this one reports the segment count)."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    began = time.monotonic()
    log(f"{index}: merging segments down to {segments}")
    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(es.options(request_timeout=MERGE_TIMEOUT_S).indices.forcemerge,
                           index=index, max_num_segments=segments)
        while True:
            try:
                done.result(timeout=poll_s)
                break
            except FuturesTimeout:
                stats = es.indices.stats(index=index, metric="segments,store")["_all"]["primaries"]
                log(f"{index}: merging... {time.monotonic() - began:.0f} s, {stats['segments']['count']} segments, "
                    f"{stats['store']['size_in_bytes'] / 2**30:.1f} GiB on disk (the merged copy grows)")
    log(f"{index}: merged in {time.monotonic() - began:.1f} s")


def loading_body(shards: int = 1) -> dict:
    """The index body of a new version while it loads: no periodic refresh, no replicas yet."""
    body = index_body("services", shards=shards, replicas=0)
    body["settings"]["refresh_interval"] = "-1"
    return body


def settle(es: Elasticsearch, index: str, replicas: int, merge_segments: int, log=None) -> None:
    """The loaded index made ready for reading: merged, default refresh, replicas as configured."""
    if merge_segments:
        merge(es, index, merge_segments, log)
    es.indices.put_settings(index=index, settings={"index": {"refresh_interval": None,
                                                             "number_of_replicas": replicas}})
    if replicas:
        es.cluster.health(index=index, wait_for_status="green", timeout="60s")


def reindex(es: Elasticsearch, alias: str, data_dir: Path, *, shards: int = 1, replicas: int = 0,
            workers: int = 1, max_rejected_ratio: float = 0.5, keep_old: int = 0,
            files: list[Path] | None = None, merge_segments: int = 1) -> ReindexResult:
    taxonomy = load_taxonomy(data_dir)
    paths = files if files is not None else catalog_files(data_dir)
    if not paths:
        raise LoadFailed(f"no part-*.jsonl files in {data_dir}")
    total = sum(1 for _ in read_lines(paths))
    index = aliases.version_name(alias)
    aliases.create_index(es, index, loading_body(shards))
    report: LoadReport | None = None
    try:
        report = load(es, index, read_records(paths, taxonomy), taxonomy, total=total, workers=workers)
        es.indices.refresh(index=index)
        count = es.count(index=index)["count"]
        if count != report.indexed:
            raise LoadFailed(f"{index}: {count} documents, but {report.indexed} were acknowledged", report)
        if report.indexed == 0:
            raise LoadFailed(f"{index}: nothing was indexed ({report.summary()})", report)
        if report.read and report.rejected / report.read > max_rejected_ratio:
            raise LoadFailed(f"{index}: too many rejected records ({report.summary()})", report)
        settle(es, index, replicas, merge_segments)
    except BaseException:
        es.indices.delete(index=index)
        raise
    retired = aliases.swap(es, alias, index)
    pruned = aliases.prune(es, alias, keep=keep_old)
    return ReindexResult(index=index, report=report, retired=retired, pruned=pruned)
