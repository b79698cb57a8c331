"""JSON responses encoded as the indexer encodes documents (`indexer.bulk.serialize`): orjson, UTF-8
written directly (Persian text stays readable), the standard library for the rare lone surrogate
orjson refuses. The search API's hot path spends far less time serializing."""
from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse as _StarletteJSONResponse

from indexer.bulk import serialize


class JSONResponse(_StarletteJSONResponse):
    def render(self, content: Any) -> bytes:
        return serialize(content)
