"""Autocomplete: `GET /api/suggest?q=<prefix>` -> {"query", "suggestions": [{"id", "title"}]}.

The prefix is normalized exactly like a search query (analyzers.normalize: Arabic letters, digits,
ZWNJ...; Finglish is read as Persian), then completed against the `suggest` completion field,
which indexer/documents.py fills with each service's title and aliases, the same names with
ZWNJ-joined words written together («گواهینامه») and every later word onward («گذرنامه عادی»),
weighted in that order. Prefixes of four letters or more tolerate one typo after the first letter.
"""
from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch
from starlette.requests import Request
from starlette.responses import Response

from analyzers.finglish import is_finglish, transliterate
from analyzers.normalize import normalize_query
from search_app.params import MAX_QUERY, ParamError, clean_text
from search_app.responses import JSONResponse

DEFAULT_SIZE = 8
FUZZY_FROM = 4        # letters: shorter prefixes complete exactly


def prefix_of(q: str) -> str:
    """The normalized prefix to complete (Finglish transliterated)."""
    norm = normalize_query(q)
    if is_finglish(norm):
        persian, _others = transliterate(norm)
        norm = persian or norm
    return norm


def suggest_body(prefix: str, size: int = DEFAULT_SIZE) -> dict[str, Any]:
    completion: dict[str, Any] = {"field": "suggest", "size": size * 2, "skip_duplicates": True}
    if len(prefix.replace(" ", "")) >= FUZZY_FROM:
        completion["fuzzy"] = {"fuzziness": 1, "prefix_length": 1, "min_length": FUZZY_FROM}
    return {"_source": ["display.id", "display.title"],
            "suggest": {"services": {"prefix": prefix, "completion": completion}}}


def to_suggestions(response: dict[str, Any], size: int = DEFAULT_SIZE) -> list[dict[str, str]]:
    """One entry per service, best first (several inputs of one service may match)."""
    out: dict[str, dict[str, str]] = {}
    for entry in response.get("suggest", {}).get("services", []):
        for option in entry.get("options", []):
            display = option.get("_source", {}).get("display", {})
            sid = display.get("id") or option.get("_id")
            if sid and sid not in out:
                out[sid] = {"id": sid, "title": display.get("title", "")}
    return list(out.values())[:size]


async def suggest(es: AsyncElasticsearch, index: str, q: str, size: int = DEFAULT_SIZE
                  ) -> list[dict[str, str]]:
    prefix = prefix_of(q)
    if not prefix:
        return []
    response = await es.search(index=index, body=suggest_body(prefix, size))
    return to_suggestions(response.body, size)


def parse_suggest_params(items: list[tuple[str, str]]) -> str:
    """The prefix from the query string (exactly one non-blank `q`), or ParamError (-> 400)."""
    for key, _value in items:
        if key != "q":
            raise ParamError(key[:40], "unknown parameter (allowed: q)")
    qs = [v for k, v in items if k == "q"]
    if len(qs) != 1:
        raise ParamError("q", "required" if not qs else "given more than once")
    q = clean_text(qs[0])
    if not q:
        raise ParamError("q", "must not be empty")
    if len(q) > MAX_QUERY:
        raise ParamError("q", f"{len(q)} characters, at most {MAX_QUERY}")
    return q


async def suggest_api(request: Request) -> Response:
    """GET /api/suggest?q=<prefix> (documented in search_app/openapi.py)."""
    q = parse_suggest_params(request.query_params.multi_items())
    state = request.app.state
    suggestions = await suggest(state.es, state.settings.es.alias, q)
    return JSONResponse({"query": q, "suggestions": suggestions})
