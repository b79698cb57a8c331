"""The declarative facet list: query parameter, index field, vocabulary for labels, heading, bucket size."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FacetSpec:
    param: str        # query-string parameter and API facet key
    field: str        # keyword field in the index
    vocabulary: str   # Taxonomy vocabulary that labels its values
    heading: str      # Persian heading on the page
    size: int         # buckets asked of Elasticsearch (bounded: every value of the vocabulary fits)


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec("organization", "organization", "organizations", "دستگاه ارائه‌دهنده", 100),
    FacetSpec("topic", "topics", "topics", "موضوع", 50),
    FacetSpec("cluster", "clusters", "clusters", "رویداد زندگی", 50),
    FacetSpec("delivery", "delivery", "delivery", "نحوه ارائه", 5),
    FacetSpec("audience", "audiences", "audiences", "مخاطب", 10),
)
BY_PARAM = {f.param: f for f in FACETS}
