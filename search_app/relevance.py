"""The text part of a search: citizen's words -> a scored Elasticsearch query (pure, no I/O).

The same normalization as the indexer (analyzers.normalize), then several signals added up:
fields with boosts, the joined (shingle) sub-fields, stemmed fields, phrase proximity, an exact-title
bonus, typo-tolerant matching on titles and aliases, and best bets.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyzers.normalize import normalize_query
from analyzers.stem import stem_text

TEXT_FIELDS = (
    "title^6", "title.joined^4", "aliases^5", "aliases.joined^3",
    "organization_name^2", "taxonomy_labels^1.5",
    "description^1.5", "description.joined^0.8", "steps^0.7", "documents^0.5",
)
STEM_FIELDS = ("names_stem^4", "body_stem^1")
FUZZY_FIELDS = ("title^2", "aliases^2", "description^0.5")
BEST_BET_BOOST = 1000.0


@dataclass(frozen=True)
class QueryForms:
    """The forms of one query that the signals match on."""

    normalized: str
    stemmed: str

    @classmethod
    def of(cls, q: str) -> "QueryForms":
        norm = normalize_query(q)
        return cls(normalized=norm, stemmed=stem_text(norm))


def text_query(q: str, best_bets: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    forms = QueryForms.of(q)
    norm = forms.normalized
    should: list[dict[str, Any]] = [
        {"multi_match": {"query": norm, "fields": list(TEXT_FIELDS), "type": "most_fields",
                         "minimum_should_match": "2<70%"}},
        {"multi_match": {"query": forms.stemmed, "fields": list(STEM_FIELDS), "type": "best_fields",
                         "minimum_should_match": "2<70%"}},
        {"multi_match": {"query": norm, "fields": ["title", "aliases"], "type": "phrase",
                         "slop": 2, "boost": 3}},
        {"term": {"title.exact": {"value": norm, "boost": 10}}},
        {"term": {"aliases.exact": {"value": norm, "boost": 6}}},
        {"multi_match": {"query": norm, "fields": list(FUZZY_FIELDS), "fuzziness": "AUTO:4,7",
                         "prefix_length": 1, "max_expansions": 20, "boost": 0.5,
                         "minimum_should_match": "2<70%"}},
    ]
    pinned = (best_bets or {}).get(norm)
    if pinned:
        should.append({"constant_score": {"filter": {"ids": {"values": list(pinned)}},
                                          "boost": BEST_BET_BOOST}})
    return {"bool": {"should": should, "minimum_should_match": 1}}
