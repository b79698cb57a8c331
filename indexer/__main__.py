"""Admin CLI: `python -m indexer load|status|check` (the make targets call these)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from elasticsearch import ApiError, TransportError

from indexer import aliases
from indexer.client import make_client
from indexer.config import ROOT, ConfigError, ESSettings, read
from indexer.records import Rejection, catalog_files, read_records
from indexer.reindex import LoadFailed, reindex
from indexer.taxonomy import load_taxonomy

DEFAULT_REJECTED = ROOT / ".cache" / "rejected.jsonl"


def cmd_load(settings: ESSettings, args: argparse.Namespace) -> int:
    es = make_client(settings)
    try:
        result = reindex(es, settings.alias, settings.data_dir, shards=settings.shards,
                         replicas=settings.replicas, workers=args.workers, merge_segments=args.merge_segments)
    except LoadFailed as exc:
        if exc.report:
            exc.report.write_rejections(args.rejected)
        print(f"load failed, alias {settings.alias} left as it was: {exc}", file=sys.stderr)
        return 1
    report = result.report
    for rejection in report.rejections:
        print(f"rejected {rejection}", file=sys.stderr)
    report.write_rejections(args.rejected)
    print(f"{settings.alias} -> {result.index}: {report.summary()}"
          + (f"; rejected records in {args.rejected}" if report.rejected else ""))
    if result.retired or result.pruned:
        print(f"retired {', '.join(result.retired) or '-'}; deleted {', '.join(result.pruned) or '-'}")
    return 0


def cmd_status(settings: ESSettings, args: argparse.Namespace) -> int:
    es = make_client(settings)
    health = es.cluster.health()
    print(f"cluster {health['cluster_name']}: {health['status']}, {health['number_of_nodes']} node(s) at {settings.url}")
    targets = aliases.alias_targets(es, settings.alias)
    if not targets:
        print(f"alias {settings.alias}: missing (run `make index`)")
        return 1
    for index in targets:
        count = es.count(index=index)["count"]
        ih = es.cluster.health(index=index)["status"]
        print(f"alias {settings.alias} -> {index}: {count} documents, health {ih}")
    others = [v for v in aliases.versions(es, settings.alias) if v not in targets]
    if others:
        print(f"other versions: {', '.join(others)}")
    return 0


def cmd_check(settings: ESSettings, args: argparse.Namespace) -> int:
    taxonomy = load_taxonomy(settings.data_dir)
    read = rejected = 0
    for item in read_records(catalog_files(settings.data_dir), taxonomy):
        read += 1
        if isinstance(item, Rejection):
            rejected += 1
            print(item, file=sys.stderr)
    print(f"read {read} = valid {read - rejected} + rejected {rejected}")
    return 1 if rejected else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indexer", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    load_p = sub.add_parser("load", help="build a new index version from data/, then swap the alias")
    load_p.add_argument("--workers", type=int, default=None,
                        help="processes that build documents (default $INDEX_WORKERS or 1)")
    load_p.add_argument("--merge-segments", type=int, default=None,
                        help="merge the new index down to this many segments before the alias moves "
                             "(0: no merge; default $INDEX_MERGE_SEGMENTS or 1)")
    load_p.add_argument("--rejected", type=Path, default=DEFAULT_REJECTED,
                        help="where rejected records are written (JSON lines)")
    sub.add_parser("status", help="alias, index, document count, health")
    sub.add_parser("check", help="validate data/ without Elasticsearch")
    args = parser.parse_args(argv)
    try:
        settings = ESSettings.from_env()
        if args.command == "load":
            if args.workers is None:
                args.workers = read(os.environ, "INDEX_WORKERS", int, 1, lambda n: 1 <= n <= 64, "between 1 and 64")
            if args.merge_segments is None:
                args.merge_segments = read(os.environ, "INDEX_MERGE_SEGMENTS", int, 1, lambda n: 0 <= n <= 1000,
                                           "between 0 (no merge) and 1000")
        return {"load": cmd_load, "status": cmd_status, "check": cmd_check}[args.command](settings, args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except (TransportError, ApiError) as exc:
        print(f"Elasticsearch error at {os.environ.get('ES_URL', 'the local node')}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
