"""SearchParams -> Elasticsearch request body (pure, no I/O).

Multi-select facets the elasticsearch-dsl way (`FacetedSearch`): hits are narrowed with
`post_filter`, and each facet's aggregation is filtered by every other facet's selection, so the
counts stay right while values are selected.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from elasticsearch.dsl import FacetedSearch, Q, TermsFacet

from search_app.facets import FACETS
from search_app.params import SearchParams
from search_app.relevance import text_query

RESULT_SOURCE = ["display.id", "display.title", "display.organization", "display.organization_slug",
                 "display.topics", "display.clusters", "display.delivery", "display.service_url",
                 "display.description"]
HIGHLIGHT_FIELDS = ("title", "aliases", "description", "steps")


class ServiceSearch(FacetedSearch):
    facets = {spec.param: TermsFacet(field=spec.field, size=spec.size) for spec in FACETS}

    def __init__(self, params: SearchParams, best_bets: Mapping[str, Sequence[str]] | None = None):
        self._best_bets = best_bets
        super().__init__(query=params.q or None, filters=dict(params.filters))

    def query(self, search, query):  # type: ignore[override]
        return search.query(Q(text_query(query, self._best_bets)))

    def highlight(self, search):  # type: ignore[override]
        return search

    def sort(self, search):  # type: ignore[override]
        if self._query:
            return search.sort("_score", "id")
        return search.sort("id")


def build_body(params: SearchParams, best_bets: Mapping[str, Sequence[str]] | None = None
               ) -> dict[str, Any]:
    search = ServiceSearch(params, best_bets).build_search()
    search = search[params.offset: params.offset + params.size]
    search = search.source(RESULT_SOURCE).extra(track_total_hits=True)
    if params.q:
        search = search.highlight_options(fragment_size=160, number_of_fragments=1, encoder="html",
                                          pre_tags=["<mark>"], post_tags=["</mark>"])
        search = search.highlight(*HIGHLIGHT_FIELDS)
    return search.to_dict()
