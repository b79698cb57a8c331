"""An in-memory token bucket per key (the client's IP address), bounded in memory.

The keys live only in this process's memory; they are never logged nor written to Elasticsearch.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """`per_minute` requests per key per minute, in bursts of at most `per_minute`."""

    def __init__(self, per_minute: int, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0          # tokens per second
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def allow(self, key: str) -> bool:
        """Take one token for `key`; False when its bucket is empty."""
        now = self._clock()
        tokens, at = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)      # most recently used last
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)   # forget the least recently seen client
        return allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` has a token again."""
        tokens, _ = self._buckets.get(key, (self.capacity, 0.0))
        return max(1, int((1.0 - tokens) / self.rate + 0.999))
