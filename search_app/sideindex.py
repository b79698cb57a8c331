"""The app's own small indexes next to the catalog alias (<alias>-feedback, <alias>-queries).

Mappings come from mappings/<name>.json, expanded with mappings/field_types.json like the services
index. Created on first
use: `exists`, then `create`; losing the race to another worker is fine, any other error is not.
"""
from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError

from indexer.schema import properties


def side_index_name(alias: str, kind: str) -> str:
    return f"{alias}-{kind}"


def mapping(name: str) -> dict[str, Any]:
    """mappings/<name>.json -> {"dynamic": ..., "properties": {...}}."""
    props, dynamic = properties(name)
    return {"dynamic": dynamic, "properties": props}


async def ensure_index(es: AsyncElasticsearch, index: str, mapping_name: str) -> bool:
    """Create `index` with mappings/<mapping_name>.json unless it exists; True if this call created it."""
    if (await es.indices.exists(index=index)).body:
        return False
    try:
        await es.indices.create(index=index, mappings=mapping(mapping_name),
                                settings={"number_of_shards": 1, "number_of_replicas": 0})
    except BadRequestError as exc:
        if exc.error == "resource_already_exists_exception":
            return False
        raise
    return True
