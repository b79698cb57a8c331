"""The catalog's vocabularies: topics, clusters, audiences, delivery (taxonomy.json) and organizations."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

VOCABULARIES = ("topics", "clusters", "audiences", "delivery")


@dataclass(frozen=True)
class Organization:
    slug: str
    name: str
    website: str


@dataclass(frozen=True)
class Taxonomy:
    """slug -> Persian label for each vocabulary, and the organizations by slug and by name."""

    labels: dict[str, dict[str, str]]
    organizations: dict[str, Organization]

    @cached_property
    def org_by_name(self) -> dict[str, Organization]:
        return {o.name: o for o in self.organizations.values()}

    @cached_property
    def org_names(self) -> dict[str, str]:
        return {slug: o.name for slug, o in self.organizations.items()}

    def labels_of(self, vocabulary: str) -> dict[str, str]:
        """slug -> label for one vocabulary, organizations included."""
        return self.org_names if vocabulary == "organizations" else self.labels.get(vocabulary, {})

    def label(self, vocabulary: str, slug: str) -> str:
        return self.labels_of(vocabulary).get(slug, slug)


def load_taxonomy(data_dir: Path) -> Taxonomy:
    raw = json.loads((data_dir / "taxonomy.json").read_text(encoding="utf-8"))
    labels = {vocab: {item["slug"]: item["fa"] for item in raw[vocab]} for vocab in VOCABULARIES}
    orgs_raw = json.loads((data_dir / "organizations.json").read_text(encoding="utf-8"))
    organizations = {o["slug"]: Organization(o["slug"], o["name"], o["website"]) for o in orgs_raw}
    return Taxonomy(labels=labels, organizations=organizations)
