"""Build query strings: toggle a facet value, change the page, clear filters."""
from __future__ import annotations

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
    ~100 facet values), not the whole query string for each."""

    def __init__(self, path: str, params: SearchParams) -> None:
        self.path = path
        self.q = f"q={quote_plus(params.q)}" if params.q else ""
        self.size = f"size={params.size}" if params.size != 10 else ""
        self.selected = {spec.param: params.selected(spec.param) for spec in FACETS}
        self.encoded = {spec.param: [f"{spec.param}={quote_plus(v)}" for v in params.selected(spec.param)]
                        for spec in FACETS}

    def url(self, param: str, value: str) -> str:
        parts = [self.q] if self.q else []
        for spec in FACETS:
            if spec.param != param:
                parts += self.encoded[spec.param]
            elif value in self.selected[param]:
                parts += [p for v, p in zip(self.selected[param], self.encoded[param]) if v != value]
            else:
                parts += [*self.encoded[param], f"{param}={quote_plus(value)}"]
        if self.size:
            parts.append(self.size)
        return f"{self.path}?{'&'.join(parts)}" if parts else self.path
