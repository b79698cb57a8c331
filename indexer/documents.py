"""Record -> Elasticsearch document (pure: no I/O).

Search fields hold text normalized by analyzers.normalize; `*_stem` fields hold it stemmed too;
`display` keeps the record as written for service pages and the API.
"""
from __future__ import annotations

from typing import Any

from analyzers.normalize import normalize
from analyzers.stem import stem_text
from indexer.taxonomy import Taxonomy

SUGGEST_MAX = 100


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
        "suggest": {"input": [t[:SUGGEST_MAX] for t in [title, *aliases]]},
        "service_url": record.get("service_url"),
        "display": {**record, "organization_slug": org.slug},
    }
