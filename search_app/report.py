"""`python -m search_app.report [--days N] [--top K]`: what citizens searched for and what they thought.

Reads the app's own indexes (<alias>-queries, <alias>-feedback) with bounded aggregations and prints
three tables (top queries, zero-result queries, services with the worst feedback) and a summary line.
Missing indexes (nothing logged yet) read as empty.
"""
from __future__ import annotations

import argparse
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from indexer.client import run_with_client
from indexer.config import ConfigError
from search_app.config import Settings
from search_app.sideindex import side_index_name

MAX_TOP = 100
MIN_FEEDBACK = 1      # answers a service needs before it can be ranked among the worst


@dataclass(frozen=True)
class QueryRow:
    query: str
    searches: int
    avg_hits: float


@dataclass(frozen=True)
class FeedbackRow:
    service_id: str
    title: str
    yes: int
    total: int

    @property
    def score(self) -> float:
        return self.yes / self.total if self.total else 0.0


@dataclass
class Report:
    days: int
    searches: int = 0
    distinct_queries: int = 0
    zero_searches: int = 0
    feedback: int = 0
    feedback_yes: int = 0
    top: list[QueryRow] = field(default_factory=list)
    zero: list[QueryRow] = field(default_factory=list)
    worst: list[FeedbackRow] = field(default_factory=list)

    def summary(self) -> str:
        zero_share = 100 * self.zero_searches / self.searches if self.searches else 0.0
        yes_share = 100 * self.feedback_yes / self.feedback if self.feedback else 0.0
        return (f"last {self.days} day(s): {self.searches} searches with text, {self.distinct_queries} distinct "
                f"queries, {self.zero_searches} with zero results ({zero_share:.1f}%); {self.feedback} feedback "
                f"answers, {yes_share:.1f}% useful")


def _since(days: int) -> dict[str, Any]:
    return {"range": {"timestamp": {"gte": f"now-{days}d/d"}}}


def _query_rows(buckets: list[dict[str, Any]]) -> list[QueryRow]:
    return [QueryRow(b["key"], b["doc_count"], b["hits"]["value"] or 0.0) for b in buckets]


def build(es: Elasticsearch, alias: str, days: int = 7, top: int = 20) -> Report:
    top = max(1, min(top, MAX_TOP))
    report = Report(days=days)
    with_text = {"bool": {"filter": [_since(days)], "must_not": [{"term": {"query": ""}}]}}
    # the query log is made searchable every 30 s (mappings/queries.json): the report sees up to now
    es.indices.refresh(index=side_index_name(alias, "queries"), ignore_unavailable=True)
    queries = es.search(index=side_index_name(alias, "queries"), size=0, ignore_unavailable=True,
                        track_total_hits=True, query=with_text, aggs={
                            "distinct": {"cardinality": {"field": "query"}},
                            "top": {"terms": {"field": "query", "size": top},
                                    "aggs": {"hits": {"avg": {"field": "total"}}}},
                            "zero": {"filter": {"term": {"total": 0}}, "aggs": {
                                "queries": {"terms": {"field": "query", "size": top},
                                            "aggs": {"hits": {"avg": {"field": "total"}}}}}},
                        }).body
    aggs = queries.get("aggregations")
    if aggs:
        report.searches = queries["hits"]["total"]["value"]
        report.distinct_queries = aggs["distinct"]["value"]
        report.top = _query_rows(aggs["top"]["buckets"])
        report.zero_searches = aggs["zero"]["doc_count"]
        report.zero = _query_rows(aggs["zero"]["queries"]["buckets"])
    feedback = es.search(index=side_index_name(alias, "feedback"), size=0, ignore_unavailable=True,
                         track_total_hits=True, query={"bool": {"filter": [_since(days)]}}, aggs={
                             "yes": {"filter": {"term": {"useful": True}}},
                             # every service fits (the catalog holds a few hundred); rank them here
                             "services": {"terms": {"field": "service_id", "size": 1000},
                                          "aggs": {"yes": {"filter": {"term": {"useful": True}}}}},
                         }).body
    aggs = feedback.get("aggregations")
    if aggs:
        report.feedback = feedback["hits"]["total"]["value"]
        report.feedback_yes = aggs["yes"]["doc_count"]
        rows = [(b["key"], b["yes"]["doc_count"], b["doc_count"]) for b in aggs["services"]["buckets"]
                if b["doc_count"] >= MIN_FEEDBACK]
        rows.sort(key=lambda r: (r[1] / r[2], -r[2], r[0]))
        rows = rows[:top]
        titles = _titles(es, alias, [r[0] for r in rows])
        report.worst = [FeedbackRow(sid, titles.get(sid, "?"), yes, total) for sid, yes, total in rows]
    return report


def _titles(es: Elasticsearch, alias: str, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    response = es.search(index=alias, query={"ids": {"values": ids}}, source=["display.title"], size=len(ids),
                         ignore_unavailable=True)
    return {h["_id"]: h["_source"]["display"]["title"] for h in response["hits"]["hits"]}


def _width(text: str) -> int:
    """Display columns (combining marks and ZWNJ take none)."""
    return sum(0 if unicodedata.category(ch) in {"Mn", "Cf"} else 1 for ch in text)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    if not rows:
        lines.append("(none)")
    return "\n".join(lines)


def render(report: Report) -> str:
    parts = [
        f"Top queries (last {report.days} days)",
        table(["#", "searches", "avg hits", "query"],
              [[i, r.searches, f"{r.avg_hits:.1f}", r.query] for i, r in enumerate(report.top, 1)]),
        "",
        "Zero-result queries",
        table(["#", "searches", "query"], [[i, r.searches, r.query] for i, r in enumerate(report.zero, 1)]),
        "",
        "Services with the worst feedback",
        table(["#", "useful", "answers", "service", "title"],
              [[i, f"{100 * r.score:.0f}%", r.total, r.service_id, r.title] for i, r in enumerate(report.worst, 1)]),
        "",
        report.summary(),
    ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search_app.report", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7, help="period in days, counting back from now (default 7)")
    parser.add_argument("--top", type=int, default=20, help=f"rows per table (default 20, at most {MAX_TOP})")
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 3650:
        parser.error("--days must be between 1 and 3650")
    if not 1 <= args.top <= MAX_TOP:
        parser.error(f"--top must be between 1 and {MAX_TOP}")
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return run_with_client(settings.es, lambda es: render(build(es, settings.es.alias, days=args.days, top=args.top)))


if __name__ == "__main__":
    sys.exit(main())
