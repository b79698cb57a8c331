"""Record -> Elasticsearch document (pure: no I/O).

Search fields hold text normalized by analyzers.normalize; `*_stem` fields hold it stemmed too;
`display` keeps the record as written for service pages and the API.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from analyzers.normalize import normalize as _normalize
from analyzers.stem import stem_text as _stem_text
from indexer.taxonomy import Taxonomy

# Catalogs repeat strings (steps, documents, organization and taxonomy labels, common aliases),
# and hazm costs ~100 µs a call: memoize per process. Both functions are pure; the caches are
# bounded (an evicted entry is only computed again).
CACHE_SIZE = 131_072
normalize = lru_cache(maxsize=CACHE_SIZE)(_normalize)
stem_text = lru_cache(maxsize=CACHE_SIZE)(_stem_text)

SUGGEST_MAX = 100
ZWNJ = "\u200c"


def completion_inputs(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Autocomplete inputs, best first: the names as written (normalized), the same names with
    ZWNJ-joined words written together (گواهی‌نامه → «گواهینامه», so both spellings complete), and
    every later word onward (typing «گذرنامه» completes «صدور گذرنامه عادی» too)."""
    names = [record["title"], *record["aliases"]]
    full = [normalize(n)[:SUGGEST_MAX] for n in names]
    joined = [normalize(n.replace(ZWNJ, ""))[:SUGGEST_MAX] for n in names]
    tails = []
    for text in dict.fromkeys(full + joined):
        words = text.split()
        tails += [" ".join(words[i:])[:SUGGEST_MAX] for i in range(1, len(words)) if len(words[i]) > 1]
    groups = [(full[:1], 30), (full[1:], 20), (joined, 15), (tails, 5)]
    seen: set[str] = set()
    out = []
    for inputs, weight in groups:
        fresh = [t for t in dict.fromkeys(inputs) if t and t not in seen]
        seen.update(fresh)
        if fresh:
            out.append({"input": fresh, "weight": weight})
    return out


def build_document(record: dict[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    org = taxonomy.org_by_name[record["organization"]]
    title = normalize(record["title"])
    aliases = [normalize(a) for a in record["aliases"]]
    description = normalize(record["description"])
    steps = [normalize(s) for s in record["steps"]]
    documents = [normalize(d) for d in record["documents"]]
    labels = [taxonomy.label("topics", t) for t in record["topics"]]
    labels += [taxonomy.label("clusters", c) for c in record["clusters"]]
    return {
        "id": record["id"],
        "title": title,
        "aliases": aliases,
        "organization": org.slug,
        "organization_name": normalize(org.name),
        "topics": record["topics"],
        "clusters": record["clusters"],
        "audiences": record["audiences"],
        "delivery": record["delivery"],
        "taxonomy_labels": [normalize(label) for label in labels],
        "description": description,
        "steps": steps,
        "documents": documents,
        "names_stem": [stem_text(t) for t in [title, *aliases]],
        "body_stem": [stem_text(t) for t in [description, *steps, *documents]],
        "spell": [title, *aliases, description],
        "suggest": completion_inputs(record),
        "service_url": record.get("service_url"),
        "display": {**record, "organization_slug": org.slug},
    }
