"""Build query strings: toggle a facet value, change the page, clear filters."""
from __future__ import annotations

from functools import cached_property
from urllib.parse import quote_plus, urlencode

from search_app.facets import FACETS
from search_app.params import SearchParams


def to_pairs(params: SearchParams, *, page: int | None = None) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if params.q:
        pairs.append(("q", params.q))
    for spec in FACETS:
        pairs.extend((spec.param, v) for v in params.selected(spec.param))
    page = params.page if page is None else page
    if page != 1:
        pairs.append(("page", str(page)))
    if params.size != 10:
        pairs.append(("size", str(params.size)))
    return pairs


def url(path: str, pairs: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(pairs)}" if pairs else path


def page(path: str, params: SearchParams, number: int) -> str:
    return url(path, to_pairs(params, page=number))


def clear_filters(path: str, params: SearchParams) -> str:
    return url(path, to_pairs(SearchParams(q=params.q, size=params.size)))


class Toggles:
    """The same search with a facet value added or removed, back on page 1, for every value of every
    facet of one results page: the parts of the query string that stay are encoded once (a page has
    ~100 facet values), not the whole query string for each, and only when a first link is asked (the
    JSON API has no links: encoding them for every search was ~4% of its CPU)."""

    def __init__(self, path: str, params: SearchParams) -> None:
        self.path, self.params = path, params

    @cached_property
    def _parts(self) -> tuple[str, str, dict[str, tuple[str, ...]], dict[str, list[str]]]:
        params = self.params
        q = f"q={quote_plus(params.q)}" if params.q else ""
        size = f"size={params.size}" if params.size != 10 else ""
        selected = {spec.param: params.selected(spec.param) for spec in FACETS}
        encoded = {param: [f"{param}={quote_plus(v)}" for v in values] for param, values in selected.items()}
        return q, size, selected, encoded

    def url(self, param: str, value: str) -> str:
        q, size, selected, encoded = self._parts
        parts = [q] if q else []
        for spec in FACETS:
            if spec.param != param:
                parts += encoded[spec.param]
            elif value in selected[param]:
                parts += [p for v, p in zip(selected[param], encoded[param]) if v != value]
            else:
                parts += [*encoded[param], f"{param}={quote_plus(value)}"]
        if size:
            parts.append(size)
        return f"{self.path}?{'&'.join(parts)}" if parts else self.path
