"""Totals and facet counts at a bounded cost, however many services match (pure, no I/O).

Counting is the part of a search whose cost grows with the services that match: every one of
them is visited for the total and for each facet. On a catalog of a million services the
benchmark's average search matches ~100,000 and its broadest over half the catalog, which no page
of ten results needs counted one by one. So a search is sent, in one `msearch` whose searches run
side by side, as

1. `hits`: the page (first pass, rescore, highlight), narrowed by the selected values, not counted
   (`track_total_hits` false: Lucene may skip the services that cannot reach the page);
2. the counts, one search per *group* of facets that share a filter: the facets with no selected
   value are counted among the services that match every selection, and each facet with a selected
   value among those that match every *other* facet's selection (multi-select facets: a facet's own
   selection never narrows its own counts). The filter is part of each search's query, so a narrow
   selection is cheap to count. Nothing is scored, and collection stops after `exact_limit`
   services (`terminate_after`). The first group's services are the page's: its count is the total
   (so FACET_EXACT_LIMIT is at least MAX_RESULT_WINDOW: paging needs the total that far).

Up to `exact_limit` matching services every count is exact. Past it, the counts are those of the
first `exact_limit` matching services (in index order): lower bounds, marked as such (`*_exact`
false in the API, «بیش از» and + on the page). On the million-service benchmark catalog a count
search of the mix took p50 7 / p90 21 / p99 43 ms so, against 22 / 113 / 189 ms counting every
match (request cache off; since the first pass asks the `recall` field, 4 / 16 / 35 ms).
(Elasticsearch's `random_sampler` was tried for estimates instead: 24-73 ms a search there, as the
query is still run over every match.) With no query and no selection Elasticsearch counts
each value straight from the index, exactly, without collecting.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from search_app.facets import FACETS, FacetSpec
from search_app.params import SearchParams

EXACT_LIMIT = 10_000   # matching services counted one by one (FACET_EXACT_LIMIT)


@dataclass(frozen=True)
class Group:
    """Facets counted among the same services: the query's, narrowed by `filters`."""

    facets: tuple[FacetSpec, ...]
    filters: tuple[dict[str, Any], ...]


def groups(params: SearchParams) -> list[Group]:
    """The first group holds the facets with nothing selected, counted under every selection (its
    size is the total); then one group per facet with a selection, under the others' selections."""
    selected = [(spec, params.selected(spec.param)) for spec in FACETS if params.selected(spec.param)]
    every = tuple(_terms(spec, values) for spec, values in selected)
    first = Group(tuple(spec for spec in FACETS if not params.selected(spec.param)), every)
    return [first, *(Group((spec,), tuple(_terms(s, v) for s, v in selected if s is not spec))
                     for spec, _ in selected)]


def _terms(spec: FacetSpec, values: Sequence[str]) -> dict[str, Any]:
    return {"terms": {spec.field: list(values)}}


def hits_body(body: dict[str, Any]) -> dict[str, Any]:
    """A FacetedSearch body (page, post_filter, aggregations) -> the page alone. With no aggregation
    left to see past the selection, the selection narrows the query itself (a filter clause, which
    scores nothing) rather than the collected hits (`post_filter`): Lucene then scores only the
    services that pass it, instead of every match until enough of them pass."""
    hits = {k: v for k, v in body.items() if k not in ("aggs", "post_filter")}
    if "post_filter" in body:
        hits["query"] = {"bool": {"must": [body.get("query", {"match_all": {}})], "filter": [body["post_filter"]]}}
    hits["track_total_hits"] = False
    return hits


def count_body(query: dict[str, Any], group: Group, exact_limit: int) -> dict[str, Any]:
    """The counts of one group, collection stopped after `exact_limit` services."""
    narrowed = {"bool": {"must": [query], "filter": list(group.filters)}} if group.filters else query
    return {"size": 0, "query": narrowed, "track_total_hits": True, "terminate_after": exact_limit,
            "aggs": {spec.param: {"terms": {"field": spec.field, "size": spec.size}} for spec in group.facets}}


@dataclass(frozen=True)
class Counts:
    total: int
    total_exact: bool                          # False: at least `total`
    buckets: dict[str, list[dict[str, Any]]]   # facet param -> [{key, doc_count}]
    facets_exact: bool                         # False: some counts are lower bounds


def read(counted: Sequence[dict[str, Any]]) -> Counts:
    """The counts of a search from the responses of its count searches (the first group's first)."""
    buckets: dict[str, list[dict[str, Any]]] = {}
    for response in counted:
        for name, agg in response.get("aggregations", {}).items():
            buckets[name] = agg.get("buckets", [])
    exact = not any(response.get("terminated_early") for response in counted)
    first = counted[0]
    return Counts(first["hits"]["total"]["value"], not first.get("terminated_early"), buckets, exact)
