"""Browsing without a query, related services and 'closest' suggestions (query building, no HTTP).

Browse pages reuse the one search function with a filter fixed by the URL; related services and the
closest topics/organizations for a zero-result query are two small, bounded queries of their own.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from elasticsearch import AsyncElasticsearch

from analyzers.normalize import normalize_query
from indexer.taxonomy import Taxonomy
from search_app.params import MAX_SIZE, SearchParams, parse

RELATED_SIZE = 5
CLOSEST_SIZE = 5


@dataclass(frozen=True)
class BrowseKind:
    kind: str         # URL segment: /organizations/{slug}
    param: str        # the facet it fixes
    vocabulary: str   # Taxonomy vocabulary of its slugs
    heading: str      # Persian name of the kind


BROWSE: dict[str, BrowseKind] = {
    "organizations": BrowseKind("organizations", "organization", "organizations", "دستگاه"),
    "topics": BrowseKind("topics", "topic", "topics", "موضوع"),
    "clusters": BrowseKind("clusters", "cluster", "clusters", "رویداد زندگی"),
}


def known(taxonomy: Taxonomy, kind: BrowseKind, slug: str) -> bool:
    return slug in taxonomy.labels_of(kind.vocabulary)


def browse_params(items: list[tuple[str, str]], taxonomy: Taxonomy, kind: BrowseKind, slug: str
                  ) -> SearchParams:
    """The request's parameters (validated as on the search page) with the slug's filter fixed;
    without an explicit size, one long page (most lists fit on it)."""
    params = parse(items, taxonomy)
    if not any(k == "size" for k, _ in items):
        params = replace(params, size=MAX_SIZE)
    return with_fixed_filter(params, kind, slug)


def with_fixed_filter(params: SearchParams, kind: BrowseKind, slug: str) -> SearchParams:
    """The browse page's search: the URL's slug always among the selected values of its facet."""
    selected = params.selected(kind.param)
    values = selected if slug in selected else (slug, *selected)
    return replace(params, filters={**params.filters, kind.param: values})


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    count: int


@dataclass(frozen=True)
class Closest:
    """What to offer when a query finds nothing: topics and organizations near its words."""

    topics: list[Link]
    organizations: list[Link]
    popular: bool = False    # nothing was near the words: these are the largest topics/organizations

    def __bool__(self) -> bool:
        return bool(self.topics or self.organizations)


CLOSEST_AGGS = {"topics": {"terms": {"field": "topics", "size": CLOSEST_SIZE}},
                "organizations": {"terms": {"field": "organization", "size": CLOSEST_SIZE}}}


def closest_body(q: str) -> dict[str, Any]:
    """Any word, typo-tolerant, over names and labels; only the facet buckets are read."""
    norm = normalize_query(q)
    return {
        "size": 0,
        "query": {"multi_match": {"query": norm, "operator": "or", "fuzziness": "AUTO",
                                  "prefix_length": 1, "max_expansions": 20,
                                  "fields": ["taxonomy_labels^3", "organization_name^3", "title^2",
                                             "aliases^2", "description"]}},
        "aggs": CLOSEST_AGGS,
    }


async def closest(es: AsyncElasticsearch, index: str, q: str, taxonomy: Taxonomy) -> Closest:
    """Topics and organizations near the words of a query that found nothing; when nothing is near
    either, the largest ones (so the page always offers somewhere to go)."""
    found = _links(await es.search(index=index, body=closest_body(q)), taxonomy) if q.strip() else Closest([], [])
    if found:
        return found
    popular = _links(await es.search(index=index, size=0, aggs=CLOSEST_AGGS), taxonomy)
    return Closest(popular.topics, popular.organizations, popular=True)


def _links(response: Any, taxonomy: Taxonomy) -> Closest:
    aggs = response.body.get("aggregations", {})
    topics = [Link(taxonomy.label("topics", b["key"]), f"/topics/{b['key']}", b["doc_count"])
              for b in aggs.get("topics", {}).get("buckets", [])]
    orgs = [Link(taxonomy.label("organizations", b["key"]), f"/organizations/{b['key']}", b["doc_count"])
            for b in aggs.get("organizations", {}).get("buckets", [])]
    return Closest(topics=topics, organizations=orgs)


def related_body(service: dict[str, Any], size: int = RELATED_SIZE) -> dict[str, Any]:
    """Services of the same cluster(s), itself excluded; the same topic ranks first."""
    return {
        "size": size,
        "_source": ["display.id", "display.title", "display.organization", "display.delivery"],
        "query": {"bool": {
            "filter": [{"terms": {"clusters": list(service.get("clusters", []))}}],
            "must_not": [{"ids": {"values": [service["id"]]}}],
            "should": [{"terms": {"topics": list(service.get("topics", []))}},
                       {"term": {"organization": service.get("organization_slug", "")}}],
        }},
        "sort": ["_score", "id"],
    }


async def related(es: AsyncElasticsearch, index: str, service: dict[str, Any],
                  size: int = RELATED_SIZE) -> list[dict[str, Any]]:
    if not service.get("clusters"):
        return []
    response = (await es.search(index=index, body=related_body(service, size))).body
    return [{**h["_source"]["display"], "url": f"/services/{h['_source']['display']['id']}"}
            for h in response["hits"]["hits"]]
