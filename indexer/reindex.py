"""One full load: new version -> bulk -> refresh -> verify -> swap alias -> prune."""
from __future__ import annotations

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


def reindex(es: Elasticsearch, alias: str, data_dir: Path, *, shards: int = 1, replicas: int = 0,
            workers: int = 1, max_rejected_ratio: float = 0.5, keep_old: int = 0,
            files: list[Path] | None = None) -> ReindexResult:
    taxonomy = load_taxonomy(data_dir)
    paths = files if files is not None else catalog_files(data_dir)
    if not paths:
        raise LoadFailed(f"no part-*.jsonl files in {data_dir}")
    total = sum(1 for _ in read_lines(paths))
    index = aliases.version_name(alias)
    aliases.create_index(es, index, index_body("services", shards=shards, replicas=replicas))
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
        if replicas:
            es.cluster.health(index=index, wait_for_status="green", timeout="60s")
    except BaseException:
        es.indices.delete(index=index)
        raise
    retired = aliases.swap(es, alias, index)
    pruned = aliases.prune(es, alias, keep=keep_old)
    return ReindexResult(index=index, report=report, retired=retired, pruned=pruned)
