"""Totals and facet counts at a bounded cost, however many services match (pure, no I/O).

Counting is the part of a search whose cost grows with the services that match: every one of
them is visited for the total and for each facet. On a catalog of a million services the
benchmark's average search matches ~100,000 and its broadest over half the catalog, which no page
of ten results needs counted one by one. So a search is sent as

1. `hits`: the page (first pass, rescore, highlight), narrowed by the selected values
   (`post_filter`), its total counted exactly up to MAX_RESULT_WINDOW, all that paging needs
   (`track_total_hits`: past that, Lucene may skip the services that cannot reach the page);
2. the counts, one search per *group* of facets that share a filter: the facets with no selected
   value are counted among the services that match every selection, and each facet with a selected
   value among those that match every *other* facet's selection (multi-select facets: a facet's own
   selection never narrows its own counts). The filter is part of each search's query, so a narrow
   selection is cheap to count, and collection stops after `exact_limit` services
   (`terminate_after`). The first group's services are the page's: its count is the total.
   1 and 2 go in one `msearch` and run side by side.
3. Only for the groups where counting stopped early: the same counts over a random sample of about
   `sample_size` services of the index (Elasticsearch's `random_sampler`, fixed seed, so paging
   does not change the counts), scaled back up; the estimate of the total is the sampled size of
   the first group. Estimates are rounded to two significant digits and marked as such (`*_exact`
   false in the API, «حدود» / ≈ on the page).

Up to `exact_limit` matching services (or MAX_RESULT_WINDOW, if more), and on any index of at most 2 x `sample_size` services
(the sampler's probability must stay under 0.5), every count is exact.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from search_app.facets import FACETS, FacetSpec
from search_app.params import MAX_RESULT_WINDOW, SearchParams

SAMPLE_SEED = 1405
MAX_PROBABILITY = 0.5   # random_sampler takes (0, 0.5) or exactly 1
SAMPLE = "sample"


@dataclass(frozen=True)
class Counting:
    exact_limit: int = 10_000    # matching services counted one by one before the counts are estimated
    sample_size: int = 20_000    # services of the index that estimates are drawn from

    def probability(self, indexed: int) -> float | None:
        """The sampler's probability for an index of `indexed` services; None: count exactly."""
        p = self.sample_size / max(indexed, 1)
        return p if p < MAX_PROBABILITY else None


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
    """A FacetedSearch body (page, post_filter, aggregations) -> the page alone."""
    hits = {k: v for k, v in body.items() if k != "aggs"}
    hits["track_total_hits"] = MAX_RESULT_WINDOW
    return hits


def count_body(query: dict[str, Any], group: Group, counting: Counting) -> dict[str, Any]:
    """The exact counts of one group, collection stopped after `exact_limit` services."""
    narrowed = {"bool": {"must": [query], "filter": list(group.filters)}} if group.filters else query
    return {"size": 0, "query": narrowed, "track_total_hits": True, "terminate_after": counting.exact_limit,
            "aggs": {spec.param: {"terms": {"field": spec.field, "size": spec.size}} for spec in group.facets}}


def sampled_body(count: dict[str, Any], probability: float | None) -> dict[str, Any]:
    """A group's counts over a random sample (`probability` None: exactly, to the end)."""
    if probability is None:
        return {**count, "terminate_after": 0}
    return {"size": 0, "query": count["query"], "track_total_hits": False,
            "aggs": {SAMPLE: {"random_sampler": {"probability": probability, "seed": SAMPLE_SEED},
                              "aggs": count["aggs"]}}}


def rounded(n: int) -> int:
    """An estimate to two significant digits (96,372 -> 96,000; under 100 as it is)."""
    return n if n < 100 else int(round(n, 2 - len(str(n))))


@dataclass(frozen=True)
class Counts:
    total: int
    total_exact: bool
    buckets: dict[str, list[dict[str, Any]]]   # facet param -> [{key, doc_count}]
    facets_exact: bool


def read(hits: dict[str, Any], counted: Sequence[dict[str, Any]], probability: float | None = None) -> Counts:
    """The counts of a search from the hits response and, per group, the response that counted it
    (the exact one, or the sampled one drawn with `probability`)."""
    buckets: dict[str, list[dict[str, Any]]] = {}
    exact, first_estimate = True, 0
    for i, response in enumerate(counted):
        aggs = response.get("aggregations", {})
        if SAMPLE in aggs:
            exact, sample = False, aggs[SAMPLE]
            if i == 0 and probability:
                first_estimate = rounded(round(sample["doc_count"] / probability))
            aggs = {name: {"buckets": [{**b, "doc_count": rounded(b["doc_count"])} for b in agg["buckets"]]}
                    for name, agg in sample.items() if isinstance(agg, dict) and "buckets" in agg}
        for name, agg in aggs.items():
            buckets[name] = agg.get("buckets", [])
    total = hits["hits"]["total"]
    if total["relation"] == "eq":
        return Counts(total["value"], True, buckets, exact)
    first = counted[0] if counted else {}
    if first_estimate:
        return Counts(max(first_estimate, total["value"]), False, buckets, exact)
    if "total" in first.get("hits", {}) and not first.get("terminated_early"):   # counted to the end
        return Counts(first["hits"]["total"]["value"], True, buckets, exact)
    return Counts(total["value"], False, buckets, exact)
