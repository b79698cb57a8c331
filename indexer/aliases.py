"""Versioned indexes behind an alias: create a new version, load it, verify, swap atomically, prune.

The live alias only moves after a load that checks out; a failed load deletes its own new index
and leaves the alias where it was.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError


class AliasError(RuntimeError):
    pass


def version_name(alias: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S-%f")
    return f"{alias}-v{stamp}"


def _version_re(alias: str) -> re.Pattern[str]:
    return re.compile(re.escape(alias) + r"-v\d{8}-\d{6}-\d{6}$")


def create_index(es: Elasticsearch, name: str, body: dict[str, Any]) -> None:
    """Create an index; an existing one or a bad body is an error (no ignore=400)."""
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])


def alias_targets(es: Elasticsearch, alias: str) -> list[str]:
    try:
        return sorted(es.indices.get_alias(name=alias).body)
    except NotFoundError:
        return []


def versions(es: Elasticsearch, alias: str) -> list[str]:
    pattern = _version_re(alias)
    names = es.indices.get(index=f"{alias}-v*", allow_no_indices=True, expand_wildcards="open,closed")
    return sorted(n for n in names.body if pattern.match(n))


def swap(es: Elasticsearch, alias: str, new_index: str) -> list[str]:
    """Point the alias at new_index only, in one atomic update; return the indexes it left."""
    if es.indices.exists(index=alias) and not alias_targets(es, alias):
        raise AliasError(f"{alias!r} is a concrete index, not an alias: delete or rename it first")
    old = alias_targets(es, alias)
    actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias}} for i in old if i != new_index]
    actions.append({"add": {"index": new_index, "alias": alias}})
    es.indices.update_aliases(actions=actions)
    return [i for i in old if i != new_index]


def prune(es: Elasticsearch, alias: str, keep: int = 0) -> list[str]:
    """Delete versions of this alias that it does not point at (keeping the newest `keep`)."""
    live = set(alias_targets(es, alias))
    stale = [v for v in versions(es, alias) if v not in live]
    doomed = stale[: max(len(stale) - keep, 0)]
    for name in doomed:
        es.indices.delete(index=name)
    return doomed
