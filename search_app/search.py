"""Execute a search and turn the response into plain view-models that templates and JSON only loop over."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import AsyncElasticsearch, TransportError
from markupsafe import Markup, escape

from indexer.taxonomy import Taxonomy
from search_app import urls
from search_app.counts import EXACT_LIMIT, Counts, read
from search_app.facets import FACETS
from search_app.params import MAX_RESULT_WINDOW as MAX_WINDOW
from search_app.params import SearchParams
from search_app.query import Bodies
from search_app.vocabulary import CatalogWords, unknown_words


# FacetValue and Hit, made ~80 times a search, are slotted and not frozen: a frozen dataclass sets each
# field through object.__setattr__, ~3x the cost of making one (results and JSON of a search of the
# mix: 160 -> 125 us). Nothing changes them after to_results.
@dataclass(slots=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    param: str
    toggles: urls.Toggles = field(repr=False, compare=False)

    @property
    def toggle_url(self) -> str:
        """The same search with this value toggled. Built when asked: a page has ~70 facet values and
        only the HTML page links them (building them all was ~1/6 of the API's CPU a search)."""
        return self.toggles.url(self.param, self.value)

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label, "count": self.count, "selected": self.selected}


@dataclass(frozen=True)
class Facet:
    param: str
    heading: str
    values: list[FacetValue]

    @property
    def selected(self) -> list[FacetValue]:
        return [v for v in self.values if v.selected]


@dataclass(slots=True)
class Hit:
    id: str
    title: str
    organization: dict[str, str]
    topics: list[str]
    clusters: list[str]
    delivery: str
    service_url: str | None
    url: str
    snippet: Markup

    def as_json(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict deep-copies every field, ~6% of the API's CPU a search
        return {"id": self.id, "title": self.title, "organization": dict(self.organization),
                "topics": list(self.topics), "clusters": list(self.clusters), "delivery": self.delivery,
                "service_url": self.service_url, "url": self.url, "snippet": str(self.snippet)}


@dataclass(frozen=True)
class Results:
    params: SearchParams
    total: int
    took_ms: int
    hits: list[Hit]
    facets: list[Facet]
    suggestion: str | None = None
    last_page: int = 1
    total_exact: bool = True      # False: at least `total` (search_app/counts.py)
    counts_exact: bool = True     # False: some facet counts are lower bounds
    path: str = "/"               # where the links below lead

    # The links are built when asked, as the facets' toggle URLs are: only the HTML page shows them
    # (building them for every search was ~1/6 of the API's Python work a search).
    @property
    def pages(self) -> list[tuple[int, str]]:
        window = range(max(1, self.params.page - 3), min(self.last_page, self.params.page + 3) + 1)
        return [(n, urls.page(self.path, self.params, n)) for n in window]

    @property
    def prev_url(self) -> str | None:
        return urls.page(self.path, self.params, self.params.page - 1) if self.params.page > 1 else None

    @property
    def next_url(self) -> str | None:
        if self.params.page >= self.last_page:
            return None
        return urls.page(self.path, self.params, self.params.page + 1)

    @property
    def clear_url(self) -> str | None:
        return urls.clear_filters(self.path, self.params) if any(self.params.filters.values()) else None

    def as_json(self) -> dict[str, Any]:
        return {
            "query": self.params.q,
            "total": self.total,
            "total_exact": self.total_exact,
            "facet_counts_exact": self.counts_exact,
            "page": self.params.page,
            "size": self.params.size,
            "took_ms": self.took_ms,
            "results": [h.as_json() for h in self.hits],
            "facets": {f.param: [v.as_json() for v in f.values] for f in self.facets},
            "suggestion": self.suggestion,
        }


def _snippet(hit: dict[str, Any]) -> Markup:
    """The best highlighted fragment (already HTML-escaped by Elasticsearch), else the description."""
    highlight = hit.get("highlight", {})
    for name in ("description", "steps", "aliases", "title"):
        if highlight.get(name):
            return Markup(highlight[name][0])
    description = hit["_source"]["display"].get("description", "")
    return escape(description[:200] + ("…" if len(description) > 200 else ""))


def _hit(hit: dict[str, Any]) -> Hit:
    d = hit["_source"]["display"]
    return Hit(
        id=d["id"], title=d["title"],
        organization={"slug": d["organization_slug"], "name": d["organization"]},
        topics=d["topics"], clusters=d["clusters"], delivery=d["delivery"],
        service_url=d.get("service_url"), url=f"/services/{d['id']}", snippet=_snippet(hit),
    )


def _facets(buckets: dict[str, list[dict[str, Any]]], params: SearchParams, taxonomy: Taxonomy,
            path: str) -> list[Facet]:
    """Each facet's values, the selected first, then by count and label. Sorted as plain tuples before
    the view-models are made (a key function per value was ~1/5 of building a search's results)."""
    facets = []
    toggles = urls.Toggles(path, params)
    for spec in FACETS:
        labels = taxonomy.labels_of(spec.vocabulary)
        counts = {b["key"]: b["doc_count"] for b in buckets.get(spec.param, ())}
        selected = params.selected(spec.param)
        for value in selected:          # a selected value never vanishes, even at zero
            counts.setdefault(value, 0)
        ranked = sorted((key not in selected, -count, labels.get(key, key), key) for key, count in counts.items())
        values = [FacetValue(key, label, -minus_count, not unselected, spec.param, toggles)
                  for unselected, minus_count, label, key in ranked]
        facets.append(Facet(param=spec.param, heading=spec.heading, values=values))
    return facets


def to_results(response: dict[str, Any], counted: Counts, params: SearchParams, taxonomy: Taxonomy,
               path: str = "/") -> Results:
    """Results from the hits response and the counts (search_app/counts.py)."""
    total = counted.total
    return Results(
        params=params, total=total, took_ms=response.get("took", 0),
        total_exact=counted.total_exact, counts_exact=counted.facets_exact,
        hits=[_hit(h) for h in response["hits"]["hits"]],
        facets=_facets(counted.buckets, params, taxonomy, path),
        suggestion=_suggestion(response),
        last_page=max(1, -(-min(total, MAX_WINDOW) // params.size)),
        path=path,
    )


def _suggestion(response: dict[str, Any]) -> str | None:
    for entry in response.get("suggest", {}).get("did_you_mean", []):
        for option in entry.get("options", []):
            return option.get("text")
    return None


class SearchFailed(TransportError):
    """Elasticsearch answered one search of an msearch with an error (answered as unavailable)."""


async def search(es: AsyncElasticsearch, index: str, params: SearchParams, taxonomy: Taxonomy,
                 bodies: Bodies, words: CatalogWords, path: str = "/") -> Results:
    """The one search function behind the HTML page and the JSON API: the page and its counts in one
    msearch (search_app/counts.py)."""
    unknown = unknown_words(params.q)
    catalog = await words.known(unknown) if unknown else frozenset()
    planned = bodies(params, catalog)
    answer = await es.msearch(index=index, body=planned.payload)
    hits, *counted = answer.body["responses"]
    for response in (hits, *counted):
        if "error" in response:
            raise SearchFailed(f"search failed ({response.get('status')}): {response['error']}")
    bodies.learn(hits["_shards"]["total"])
    return to_results(hits, read(counted), params, taxonomy, path)


async def get_service(es: AsyncElasticsearch, index: str, service_id: str) -> dict[str, Any] | None:
    response = await es.search(index=index, query={"ids": {"values": [service_id]}},
                               source=["display"], size=1)
    hits = response["hits"]["hits"]
    return hits[0]["_source"]["display"] if hits else None


class Searcher:
    """The search function bound to the app's client, alias, catalog and metrics (built in the lifespan)."""

    def __init__(self, es: AsyncElasticsearch, index: str, taxonomy: Taxonomy,
                 best_bets: Mapping[str, Sequence[str]], observe: Any = None,
                 exact_limit: int = EXACT_LIMIT) -> None:
        self.es, self.index, self.taxonomy = es, index, taxonomy
        self.bodies = Bodies(best_bets, exact_limit=exact_limit)
        self.words = CatalogWords(es, index)
        self._observe = observe

    async def search(self, params: SearchParams, path: str = "/") -> Results:
        if self._observe is None:
            return await search(self.es, self.index, params, self.taxonomy, self.bodies, self.words, path)
        with self._observe.time():
            return await search(self.es, self.index, params, self.taxonomy, self.bodies, self.words, path)

    async def service(self, service_id: str) -> dict[str, Any] | None:
        return await get_service(self.es, self.index, service_id)
