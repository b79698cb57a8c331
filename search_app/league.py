"""The organizations league table: services per organization, delivery shares, feedback score.

Two aggregations with bounded sizes: terms on organization (every one of the ~50 fits in 100) with a
terms on delivery inside, over the catalog; terms on organization with a 'yes' filter inside, over
the feedback index (which may not exist yet).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elasticsearch import AsyncElasticsearch

from indexer.taxonomy import Taxonomy
from search_app.feedback import FeedbackStore

MAX_ORGANIZATIONS = 100
DELIVERY = ("online", "hybrid", "offline")


@dataclass(frozen=True)
class Row:
    slug: str
    name: str
    url: str
    services: int
    delivery: dict[str, int]          # online/hybrid/offline -> services
    feedback_yes: int
    feedback_total: int

    def share(self, delivery: str) -> float:
        return self.delivery.get(delivery, 0) / self.services if self.services else 0.0

    def percent(self, delivery: str) -> int:
        return round(100 * self.share(delivery))

    @property
    def score(self) -> float | None:
        """Share of 'yes' among this organization's feedback; None without feedback."""
        return self.feedback_yes / self.feedback_total if self.feedback_total else None

    @property
    def score_percent(self) -> int | None:
        return None if self.score is None else round(100 * self.score)


def catalog_body() -> dict[str, Any]:
    return {
        "size": 0,
        "aggs": {"orgs": {"terms": {"field": "organization", "size": MAX_ORGANIZATIONS},
                          "aggs": {"delivery": {"terms": {"field": "delivery", "size": len(DELIVERY) + 2}}}}},
    }


def rows(catalog: dict[str, Any], scores: dict[str, tuple[int, int]], taxonomy: Taxonomy) -> list[Row]:
    out = []
    for bucket in catalog.get("aggregations", {}).get("orgs", {}).get("buckets", []):
        slug = bucket["key"]
        yes, total = scores.get(slug, (0, 0))
        out.append(Row(slug=slug, name=taxonomy.label("organizations", slug), url=f"/organizations/{slug}",
                       services=bucket["doc_count"],
                       delivery={b["key"]: b["doc_count"] for b in bucket["delivery"]["buckets"]},
                       feedback_yes=yes, feedback_total=total))
    # most services first; ties by the share done online, then by name
    out.sort(key=lambda r: (-r.services, -r.share("online"), r.name))
    return out


async def league(es: AsyncElasticsearch, index: str, feedback: FeedbackStore, taxonomy: Taxonomy) -> list[Row]:
    catalog = (await es.search(index=index, body=catalog_body())).body
    scores = await feedback.scores("organization", size=MAX_ORGANIZATIONS)
    return rows(catalog, scores, taxonomy)
