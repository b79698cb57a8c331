"""Records -> documents -> Elasticsearch `streaming_bulk`, with progress; counts indexed and rejected.

Normalization (hazm) is the slow part, so documents can be built in worker processes (`workers`).
Every record read ends up either indexed or rejected, and every rejection is kept with its reason.
"""
from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

from indexer.documents import build_document
from indexer.progress import Progress
from indexer.records import Record, Rejection
from indexer.taxonomy import Taxonomy

CHUNK = 500
WORKER_BATCH = 200   # records per task sent to a worker process


@dataclass
class LoadReport:
    read: int = 0
    indexed: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def summary(self) -> str:
        return f"read {self.read} = indexed {self.indexed} + rejected {self.rejected}"

    def write_rejections(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            for r in self.rejections:
                out.write(json.dumps({"source": r.source, "error": r.error, "raw": r.raw},
                                     ensure_ascii=False) + "\n")


_worker_taxonomy: Taxonomy | None = None


def _init_worker(taxonomy: Taxonomy) -> None:
    global _worker_taxonomy
    _worker_taxonomy = taxonomy


def _build_chunk(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert _worker_taxonomy is not None
    return [build_document(r, _worker_taxonomy) for r in records]


def serialize(doc: Any) -> bytes:
    """A document as the JSON the client would send (the client passes bytes through untouched).
    orjson, ~5x faster than the standard library; a lone surrogate in a record (orjson refuses
    them) takes the standard library's way, as before."""
    try:
        return orjson.dumps(doc)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def _build_chunk_serialized(records: list[dict[str, Any]]) -> list[bytes]:
    assert _worker_taxonomy is not None
    return [serialize(build_document(r, _worker_taxonomy)) for r in records]


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _in_workers(records: Iterable[Record], taxonomy: Taxonomy, workers: int,
                build_chunk: Callable[[list[dict[str, Any]]], list[Any]]) -> Iterator[tuple[Record, Any]]:
    """(record, build_chunk's result for it) in input order, chunks built in `workers` processes."""
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(taxonomy,)) as pool:
        # keep a bounded number of chunks in flight
        pending: deque[tuple[list[Record], Any]] = deque()
        for batch in _chunks(records, WORKER_BATCH):
            pending.append((batch, pool.submit(build_chunk, [r.data for r in batch])))
            if len(pending) >= workers * 4:
                done_batch, future = pending.popleft()
                yield from zip(done_batch, future.result())
        for done_batch, future in pending:
            yield from zip(done_batch, future.result())


def build_documents(records: Iterable[Record], taxonomy: Taxonomy, workers: int = 1
                    ) -> Iterator[tuple[Record, dict[str, Any]]]:
    """(record, document) pairs in input order; documents built in `workers` processes if > 1."""
    if workers <= 1:
        for record in records:
            yield record, build_document(record.data, taxonomy)
        return
    yield from _in_workers(records, taxonomy, workers, _build_chunk)


def build_serialized(records: Iterable[Record], taxonomy: Taxonomy, workers: int = 1
                     ) -> Iterator[tuple[Record, bytes]]:
    """Like build_documents, but each document already serialized to JSON (in the workers, when
    there are several: it takes JSON encoding and most pickling off the process that talks to ES)."""
    if workers <= 1:
        for record in records:
            yield record, serialize(build_document(record.data, taxonomy))
        return
    yield from _in_workers(records, taxonomy, workers, _build_chunk_serialized)


def load(es: Elasticsearch, index: str, items: Iterable[Record | Rejection], taxonomy: Taxonomy,
         total: int | None = None, workers: int = 1, progress_every: float = 1.0) -> LoadReport:
    report = LoadReport()
    progress = Progress(f"indexing into {index}", total, every=progress_every)
    by_id: dict[str, Record] = {}

    def records() -> Iterator[Record]:
        for item in items:
            report.read += 1
            if isinstance(item, Rejection):
                report.rejections.append(item)
                progress.advance()
            else:
                yield item

    def actions() -> Iterator[dict[str, Any]]:
        for record, doc in build_serialized(records(), taxonomy, workers):
            by_id[record.id] = record
            yield {"_index": index, "_id": record.id, "_source": doc}

    for ok, result in streaming_bulk(es, actions(), chunk_size=CHUNK, raise_on_error=False,
                                     raise_on_exception=False, max_retries=3):
        info = result.get("index", {})
        record = by_id.pop(str(info.get("_id")), None)
        if ok:
            report.indexed += 1
        else:
            error = info.get("error", info)
            reason = error.get("reason", error) if isinstance(error, dict) else error
            source = record.source if record else str(info.get("_id"))
            raw = json.dumps(record.data, ensure_ascii=False) if record else ""
            report.rejections.append(Rejection(source, f"Elasticsearch refused it: {reason}", raw))
        progress.advance()
    progress.finish()
    return report
