"""App settings from the environment, cast and validated at start (see the README's table)."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from indexer.config import ESSettings, es_kwargs, read
from search_app.params import MAX_RESULT_WINDOW
from search_app.counts import EXACT_LIMIT


@dataclass(frozen=True)
class Settings:
    es: ESSettings = field(default_factory=ESSettings)
    host: str = "127.0.0.1"
    port: int = 8000
    debug: bool = False
    query_log: bool = True
    feedback_per_minute: int = 10
    query_log_flush_seconds: float = 2.0
    query_log_queue: int = 1000
    search_timeout: float = 1.5
    search_retries: int = 1
    exact_limit: int = EXACT_LIMIT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        return cls(
            es=ESSettings(**es_kwargs(env)),
            host=read(env, "HOST", str, "127.0.0.1"),
            port=read(env, "PORT", int, 8000, lambda p: 0 < p < 65536, "not a TCP port"),
            debug=read(env, "DEBUG", bool, False),
            query_log=read(env, "QUERY_LOG", bool, True),
            feedback_per_minute=read(env, "FEEDBACK_PER_MINUTE", int, 10, lambda n: 1 <= n <= 1000,
                                     "between 1 and 1000"),
            query_log_flush_seconds=read(env, "QUERY_LOG_FLUSH_SECONDS", float, 2.0, lambda s: 0.05 <= s <= 60,
                                         "seconds between 0.05 and 60"),
            query_log_queue=read(env, "QUERY_LOG_QUEUE", int, 1000, lambda n: 10 <= n <= 100_000,
                                 "between 10 and 100000"),
            search_timeout=read(env, "SEARCH_TIMEOUT", float, 1.5, lambda s: 0 < s <= 60, "seconds in (0, 60]"),
            search_retries=read(env, "SEARCH_RETRIES", int, 1, lambda n: 0 <= n <= 5, "between 0 and 5"),
            exact_limit=read(env, "FACET_EXACT_LIMIT", int, EXACT_LIMIT,
                             lambda n: MAX_RESULT_WINDOW <= n <= 10_000_000,
                             f"between {MAX_RESULT_WINDOW} (paging needs the total that far) and 10000000"),
        )
