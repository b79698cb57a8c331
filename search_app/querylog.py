"""The query log: what was searched (never who), written to <alias>-queries off the request path.

`QueryLog.record` only appends to a bounded in-memory buffer (dropping, and counting, when full);
a background task flushes the buffer with one bulk request every `flush_seconds` or as soon as
`BATCH` entries wait. An Elasticsearch failure loses that batch and is logged, never raised.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from datetime import datetime, timezone
from typing import Any

from elasticsearch import AsyncElasticsearch, ApiError, TransportError

from analyzers.normalize import normalize_query
from search_app.facets import FACETS
from search_app.params import SearchParams
from search_app.search import Results
from search_app.sideindex import ensure_index, side_index_name

log = logging.getLogger("panjereh.querylog")
BATCH = 200


def entry(results: Results, now: datetime | None = None) -> dict[str, Any]:
    """One log document: no IP, no user agent, no session; the query normalized like the index."""
    params: SearchParams = results.params
    return {
        "timestamp": (now or datetime.now(timezone.utc)).isoformat(),
        "query": normalize_query(params.q) if params.q else "",
        "filters": [f"{spec.param}:{v}" for spec in FACETS for v in params.selected(spec.param)],
        "total": results.total,
        "page": params.page,
        "took_ms": results.took_ms,
    }


class QueryLog:
    def __init__(self, es: AsyncElasticsearch, alias: str, flush_seconds: float = 2.0,
                 max_queue: int = 1000) -> None:
        self.es = es
        self.index = side_index_name(alias, "queries")
        self.flush_seconds = flush_seconds
        self._buffer: deque[dict[str, Any]] = deque()
        self.max_queue = max_queue
        self.dropped = 0
        self.written = 0
        self._ready = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def record(self, results: Results) -> None:
        """Called on the request path: O(1), no I/O."""
        if len(self._buffer) >= self.max_queue:
            self.dropped += 1
            return
        self._buffer.append(entry(results))
        if len(self._buffer) >= BATCH:
            self._wake.set()

    async def flush(self) -> int:
        """Write what is buffered now; return how many entries were written."""
        written = 0
        while self._buffer:
            batch = [self._buffer.popleft() for _ in range(min(BATCH, len(self._buffer)))]
            try:
                if not self._ready:
                    await ensure_index(self.es, self.index, "queries")
                    self._ready = True
                operations: list[dict[str, Any]] = []
                for doc in batch:
                    operations += [{"index": {"_index": self.index}}, doc]
                response = await self.es.bulk(operations=operations)
                failed = sum(1 for item in response["items"] if item["index"].get("error"))
                if failed:
                    log.warning("query log: %d of %d entries rejected", failed, len(batch))
                written += len(batch) - failed
            except (ApiError, TransportError) as exc:
                log.warning("query log: lost %d entries, Elasticsearch did not take them: %s", len(batch), exc)
        self.written += written
        return written

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.flush_seconds)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - the flusher must outlive any one bad batch
                log.exception("query log: flush failed")

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="panjereh-query-log")

    async def stop(self) -> None:
        """Stop the flusher and write what is left (at shutdown)."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except asyncio.TimeoutError:
                log.warning("query log: the flusher did not stop in time")
            self._task = None
        await self.flush()


class LoggedSearcher:
    """The app's Searcher, with every search it runs recorded in the query log."""

    def __init__(self, inner: Any, querylog: QueryLog) -> None:
        self._inner = inner
        self.querylog = querylog

    async def search(self, params: SearchParams, path: str = "/") -> Results:
        results = await self._inner.search(params, path)
        self.querylog.record(results)
        return results

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
