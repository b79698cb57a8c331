"""The app's own small indexes next to the catalog alias (<alias>-feedback, <alias>-queries).

Mappings come from mappings/<name>.json, expanded with mappings/field_types.json like the services
index, with its `refresh_interval` if it sets one. Created on first use: `exists`, then `create`;
losing the race to another worker is fine, any other error is not. An index that exists already gets
the file's `refresh_interval` (an index made before the file set it).
"""
from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError

from indexer.schema import properties, refresh_interval


def side_index_name(alias: str, kind: str) -> str:
    return f"{alias}-{kind}"


def mapping(name: str) -> dict[str, Any]:
    """mappings/<name>.json -> {"dynamic": ..., "properties": {...}}."""
    props, dynamic = properties(name)
    return {"dynamic": dynamic, "properties": props}


async def ensure_index(es: AsyncElasticsearch, index: str, mapping_name: str) -> bool:
    """Create `index` with mappings/<mapping_name>.json unless it exists; True if this call created it."""
    interval = refresh_interval(mapping_name)
    if (await es.indices.exists(index=index)).body:
        if interval is not None:
            await es.indices.put_settings(index=index, settings={"index": {"refresh_interval": interval}})
        return False
    settings: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0}
    if interval is not None:
        settings["refresh_interval"] = interval
    try:
        await es.indices.create(index=index, mappings=mapping(mapping_name), settings=settings)
    except BadRequestError as exc:
        if exc.error == "resource_already_exists_exception":
            return False
        raise
    return True
