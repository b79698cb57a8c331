"""What the app loads from data/ at start (never at import): vocabularies and best bets."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from analyzers.normalize import normalize
from indexer.taxonomy import Taxonomy, load_taxonomy

ID_PREFIX = "svc-"


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class Catalog:
    taxonomy: Taxonomy
    best_bets: dict[str, tuple[str, ...]]


def load_best_bets(path: Path) -> dict[str, tuple[str, ...]]:
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    bets: dict[str, tuple[str, ...]] = {}
    for query, ids in raw.items():
        if query.startswith("_"):
            continue
        if not isinstance(ids, list) or not all(isinstance(i, str) and i.startswith(ID_PREFIX) for i in ids):
            raise CatalogError(f"{path}: {query!r}: expected a list of service ids (svc-NNNN)")
        bets[normalize(query)] = tuple(ids)
    return bets


def load_catalog(data_dir: Path) -> Catalog:
    return Catalog(taxonomy=load_taxonomy(data_dir), best_bets=load_best_bets(data_dir / "best_bets.json"))
