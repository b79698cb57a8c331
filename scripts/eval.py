"""Relevance evaluation: the dev queries through Panjereh's real search and two plain baselines.

    ES_PORT=9299 python -m scripts.eval [--queries FILE] [--failures] [--only ours]

Three systems over the same catalog, in the same Elasticsearch, each in its own `eval-*` index
(deleted at the end):

* ``ours``     the app itself: `create_app` over an eval alias, queried through `/api/search`
               (the same code path as the site: normalization, synonyms, Finglish, best bets...).
* ``standard`` a `multi_match` over title, aliases, organization name, description, steps and
               documents with the `standard` analyzer, text as written.
* ``persian``  the same `multi_match` with Lucene's PersianAnalyzer rebuilt for a core-only ES:
               the text (and the query) pre-normalized in Python exactly as its char filter and
               token filters would (ZWNJ -> space, decimal digits -> ASCII, ArabicNormalizer,
               PersianNormalizer), then `standard` tokenizer + `lowercase` + `stop: _persian_`.

Metrics are computed here (no `_rank_eval`): success@1, success@3, MRR@10 and nDCG@10 with graded
gains (the `relevant` list is best first: the first of n ids has gain n, the last gain 1).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from elasticsearch import Elasticsearch, helpers

from indexer.client import make_client
from indexer.config import ROOT, ESSettings
from indexer.records import Record, catalog_files, read_records
from indexer.reindex import reindex
from indexer.taxonomy import load_taxonomy

QUERIES = ROOT / "tests" / "relevance" / "dev-queries.jsonl"
PREFIX = "eval-"
K = 10
BASELINE_FIELDS = ["title^3", "aliases^2", "organization_name", "description", "steps", "documents"]


# --- Lucene PersianAnalyzer, rebuilt in Python -------------------------------------------------

_ARABIC_NORMALIZER = {"آ": "ا", "أ": "ا", "إ": "ا", "ى": "ي", "ة": "ه", "\u0640": ""}
_ARABIC_NORMALIZER.update({chr(c): "" for c in range(0x064B, 0x0653)})  # fathatan .. sukun
_PERSIAN_NORMALIZER = {"ی": "ي", "ک": "ك", "ۀ": "ه", "ہ": "ه", "\u0654": ""}
_LUCENE_PERSIAN = str.maketrans({"\u200c": " ", **_ARABIC_NORMALIZER, **_PERSIAN_NORMALIZER})


def lucene_persian(text: str) -> str:
    """What Lucene's PersianAnalyzer does to characters (tokenizing and stop words are left to ES)."""
    text = text.replace("\u200c", " ").lower()
    digits = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch
                     for ch in text)
    return digits.translate(_LUCENE_PERSIAN)


def identity(text: str) -> str:
    return text


BASELINES: dict[str, tuple[dict[str, Any], Callable[[str], str]]] = {
    "standard": ({"analyzer": {"default": {"type": "standard"}}}, identity),
    "persian": ({"analyzer": {"default": {"type": "custom", "tokenizer": "standard",
                                          "filter": ["lowercase", "persian_stop"]}},
                 "filter": {"persian_stop": {"type": "stop", "stopwords": "_persian_"}}},
                lucene_persian),
}


def create_baseline(es: Elasticsearch, name: str, analysis: dict[str, Any], prep: Callable[[str], str],
                    data_dir: Path) -> None:
    props = {f: {"type": "text"} for f in ("title", "aliases", "organization_name", "description",
                                            "steps", "documents")}
    es.indices.create(index=name, settings={"number_of_shards": 1, "number_of_replicas": 0,
                                            "analysis": analysis},
                      mappings={"properties": props})
    taxonomy = load_taxonomy(data_dir)

    def actions():
        for record in read_records(catalog_files(data_dir), taxonomy):
            if not isinstance(record, Record):
                continue
            rec = record.data
            yield {"_index": name, "_id": rec["id"], "_source": {
                "title": prep(rec["title"]), "aliases": [prep(a) for a in rec["aliases"]],
                "organization_name": prep(rec["organization"]),
                "description": prep(rec["description"]), "steps": [prep(s) for s in rec["steps"]],
                "documents": [prep(d) for d in rec["documents"]]}}

    helpers.bulk(es, actions())
    es.indices.refresh(index=name)


def baseline_search(es: Elasticsearch, index: str, prep: Callable[[str], str]) -> Callable[[str], list[str]]:
    def run(q: str) -> list[str]:
        body = {"multi_match": {"query": prep(q), "fields": BASELINE_FIELDS, "type": "best_fields"}}
        hits = es.search(index=index, query=body, size=K, source=False)["hits"]["hits"]
        return [h["_id"] for h in hits]
    return run


def delete_eval_indexes(es: Elasticsearch, patterns: list[str]) -> None:
    """Delete, by name (clusters may forbid wildcard deletes), the `eval-*` indexes we created."""
    for pattern in patterns:
        if not pattern.startswith(PREFIX) or pattern.strip("*") == PREFIX:
            continue
        names = es.indices.get(index=pattern, allow_no_indices=True, ignore_unavailable=True,
                               expand_wildcards="open,closed").body
        for name in names:
            if name.startswith(PREFIX):
                es.indices.delete(index=name)


# --- metrics ------------------------------------------------------------------------------------

def metrics(ranked: list[str], relevant: list[str]) -> dict[str, float]:
    gains = {rid: len(relevant) - i for i, rid in enumerate(relevant)}
    top = ranked[:K]
    first = next((i for i, rid in enumerate(top) if rid in gains), None)
    dcg = sum(gains.get(rid, 0) / math.log2(i + 2) for i, rid in enumerate(top))
    ideal = sorted(gains.values(), reverse=True)[:K]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return {
        "s@1": float(first == 0),
        "s@3": float(first is not None and first < 3),
        "mrr": 0.0 if first is None else 1.0 / (first + 1),
        "ndcg": dcg / idcg if idcg else 0.0,
    }


def mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]} if rows else {}


# --- main ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--failures", action="store_true", help="list our queries not right at rank 1")
    ap.add_argument("--only", choices=["ours", "standard", "persian"], action="append")
    args = ap.parse_args(argv)

    from starlette.testclient import TestClient

    from search_app.app import create_app
    from search_app.config import Settings

    queries = [json.loads(line) for line in args.queries.read_text(encoding="utf-8").splitlines() if line.strip()]
    settings = ESSettings.from_env()
    tag = f"{os.getpid()}-{int(time.time())}"
    es = make_client(settings)
    systems = args.only or ["ours", "standard", "persian"]
    created: list[str] = []
    runners: dict[str, Callable[[str], list[str]]] = {}
    client: TestClient | None = None
    try:
        t0 = time.perf_counter()
        timings: dict[str, float] = defaultdict(float)
        if "ours" in systems:
            alias = f"{PREFIX}ours-{tag}"
            created.append(f"{alias}*")
            reindex(es, alias, settings.data_dir)
            app = create_app(Settings(es=replace(settings, alias=alias), query_log=False))
            client = TestClient(app)
            client.__enter__()

            def ours(q: str, _c: TestClient = client) -> list[str]:
                response = _c.get("/api/search", params={"q": q, "size": K})
                response.raise_for_status()
                return [r["id"] for r in response.json()["results"]]

            runners["ours"] = ours
            print(f"[eval] indexed ours into {alias} ({time.perf_counter() - t0:.1f}s)", file=sys.stderr)
        for name in ("standard", "persian"):
            if name not in systems:
                continue
            analysis, prep = BASELINES[name]
            index = f"{PREFIX}{name}-{tag}"
            created.append(index)
            create_baseline(es, index, analysis, prep, settings.data_dir)
            runners[name] = baseline_search(es, index, prep)
            print(f"[eval] indexed baseline {name} into {index}", file=sys.stderr)

        per: dict[str, list[tuple[dict[str, Any], list[str], dict[str, float]]]] = defaultdict(list)
        for n, query in enumerate(queries, 1):
            for name, run in runners.items():
                started = time.perf_counter()
                ranked = run(query["q"])
                timings[name] += time.perf_counter() - started
                per[name].append((query, ranked, metrics(ranked, query["relevant"])))
            if n % 40 == 0 or n == len(queries):
                print(f"[eval] {n}/{len(queries)} queries", file=sys.stderr)

        report(queries, per)
        print("mean latency per query: " + ", ".join(f"{n} {1000 * t / len(queries):.0f} ms"
                                                     for n, t in timings.items()))
        if args.failures and "ours" in per:
            print("\nours, not right at rank 1:")
            for query, ranked, m in per["ours"]:
                if not m["s@1"]:
                    rank = next((i + 1 for i, r in enumerate(ranked) if r in query["relevant"]), None)
                    print(f"  [{query['kind']}] {query['q']}  want {query['relevant']} got {ranked[:3]} "
                          f"(rank {rank})")
    finally:
        if client is not None:
            client.__exit__(None, None, None)
        delete_eval_indexes(es, created)
        es.close()
    return 0


def report(queries: list[dict[str, Any]], per: dict[str, list]) -> None:
    names = list(per)
    kinds = sorted({q["kind"] for q in queries})
    cols = ["s@1", "s@3", "mrr", "ndcg"]
    header = f"{'kind':<12}{'n':>4}  " + "  ".join(f"{name:^31}" for name in names)
    sub = f"{'':<12}{'':>4}  " + "  ".join(" ".join(f"{c:>7}" for c in cols) for _ in names)
    print(header)
    print(sub)
    for kind in ["ALL", *kinds]:
        line = f"{kind:<12}"
        for i, name in enumerate(names):
            rows = [m for q, _r, m in per[name] if kind == "ALL" or q["kind"] == kind]
            if i == 0:
                line += f"{len(rows):>4}  "
            avg = mean(rows)
            line += " ".join(f"{avg[c]:7.3f}" for c in cols) + "  "
        print(line)
    fails = {name: sum(1 for _q, _r, m in per[name] if not m["s@1"]) for name in names}
    print("\nrank-1 failures: " + ", ".join(f"{n} {fails[n]}" for n in names))
    if "ours" in fails and "persian" in fails and fails["persian"]:
        print(f"ours / persian baseline rank-1 failures: {fails['ours']}/{fails['persian']} "
              f"= {fails['ours'] / fails['persian']:.2f} (target <= 0.25)")


if __name__ == "__main__":
    sys.exit(main())
