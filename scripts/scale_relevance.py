"""Relevance at scale: the dev and holdout queries on a benchmark index of N synthetic services.

    ES_URL=... python -m scripts.scale_relevance --index NAME [--docs N] [--queries FILE ...]

`make eval` measures ranking on the real catalog (425 services). A catalog of a million services
ranks differently: thousands of services now match a query, and a cheaper first pass can leave the
right one out of the window the rescore ranks (search_app/query.py). Every synthetic service of
scripts/gen_catalog.py is a variant of one real service, whose title it keeps (with a province, a
year, an audience... added), so a result is read as the real service it was generated from: the
longest real title its title contains. A query then succeeds at rank 1 when the first result is a
variant of a service the query should find. The searches are the app's own page searches (the
same bodies as `/api/search`), run one at a time.

scripts/bench.py runs this on the index it queries and prints the figures next to the speed, so a
faster search is seen not to have been bought with a worse ranking.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.client import run_with_client  # noqa: E402
from indexer.config import ConfigError, ESSettings  # noqa: E402
from indexer.records import Record, catalog_files, read_records  # noqa: E402
from indexer.taxonomy import load_taxonomy  # noqa: E402
from scripts.eval import metrics  # noqa: E402
from scripts.gen_catalog import DATA, generate  # noqa: E402
from search_app.catalog import load_catalog  # noqa: E402
from search_app.params import parse  # noqa: E402
from search_app.query import Bodies  # noqa: E402
from search_app.vocabulary import catalog_words  # noqa: E402

QUERIES = (ROOT / "tests" / "relevance" / "dev-queries.jsonl", ROOT / "tests" / "relevance" / "holdout-queries.jsonl")
COLUMNS = ("s@1", "s@3", "mrr")   # nDCG needs distinct ids: a page may hold several variants of one service


class RealServices:
    """Real services by title, to read a synthetic service as the one it was generated from."""

    def __init__(self, titles: Iterable[tuple[str, str]]) -> None:
        self._by_length = sorted(titles, key=lambda t: -len(t[0]))   # (title, id), longest first

    @classmethod
    def of(cls, data_dir: Path) -> "RealServices":
        taxonomy = load_taxonomy(data_dir)
        return cls((item.data["title"], item.data["id"])
                   for item in read_records(catalog_files(data_dir), taxonomy) if isinstance(item, Record))

    def origin(self, title: str) -> str | None:
        """The id of the real service with the longest title that `title` contains."""
        return next((sid for real, sid in self._by_length if real in title), None)


def load_queries(files: Sequence[Path]) -> list[dict[str, Any]]:
    return [json.loads(line) for path in files for line in path.open(encoding="utf-8") if line.strip()]


def shards(es: Elasticsearch, index: str) -> int:
    """The shards a search of `index` (or alias) goes to: what the app learns from its first answer."""
    return es.search(index=index, size=0, track_total_hits=False)["_shards"]["total"]


def measure(es: Elasticsearch, index: str, data_dir: Path, queries: Sequence[dict[str, Any]],
            real: RealServices, log=print) -> dict[str, Any]:
    """Mean s@1, s@3 and MRR@10 of `queries` over `index` (the synthetic catalog of `data_dir`),
    results read as their real services; also the page searches' ES `took`."""
    catalog = load_catalog(data_dir)
    bodies = Bodies(catalog.best_bets, shards=shards(es, index))
    rows, took, began = [], [], time.monotonic()
    for n, query in enumerate(queries, 1):
        params = parse([("q", query["q"])], catalog.taxonomy)
        page = bodies(params, catalog_words(es, index, params.q)).hits
        response = es.search(index=index, body=page)
        ranked = [real.origin(hit["_source"]["display"]["title"]) or "" for hit in response["hits"]["hits"]]
        rows.append(metrics(ranked, query["relevant"]))
        took.append(response["took"])
        if n % 50 == 0:
            log(f"relevance at scale: {n}/{len(queries)} queries, {time.monotonic() - began:.0f} s")
    means = {c: sum(r[c] for r in rows) / len(rows) for c in COLUMNS} if rows else {}
    took.sort()
    return {"queries": len(rows), **means,
            "took_p50": took[len(took) // 2] if took else 0, "took_p99": took[int(0.99 * len(took))] if took else 0}


def line(result: dict[str, Any]) -> str:
    return (f"{result['queries']} dev and holdout queries, results read as the real service they vary: "
            + ", ".join(f"{c} {result[c]:.3f}" for c in COLUMNS)
            + f" (page search p50 {result['took_p50']} / p99 {result['took_p99']} ms, one at a time)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", required=True, help="an index (or alias) of the synthetic catalog")
    ap.add_argument("--docs", type=int, default=1_000_000, help="services in that catalog (to find its files)")
    ap.add_argument("--queries", type=Path, nargs="+", default=list(QUERIES))
    args = ap.parse_args(argv)
    try:
        settings = ESSettings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    data_dir = generate(args.docs, quiet=False)   # reused when already generated
    queries, real = load_queries(args.queries), RealServices.of(DATA)
    return run_with_client(settings, lambda es: line(measure(es, args.index, data_dir, queries, real)))


if __name__ == "__main__":
    sys.exit(main())
