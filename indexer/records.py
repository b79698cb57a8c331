"""Read and validate catalog records: each line is a Record or a Rejection with `file:line: what is wrong`."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.taxonomy import Taxonomy

ID_RE = re.compile(r"^svc-\d{1,12}$")
MAX_TEXT = 5_000          # characters in one string field
MAX_ITEMS = 50            # items in one list field
MAX_LINE = 200_000        # characters in one JSON line

STRING_FIELDS = ("title", "organization", "organization_website", "description", "fee", "duration")
LIST_FIELDS = {"topics": (1, 2), "clusters": (1, 2), "audiences": (1, 4), "steps": (1, MAX_ITEMS),
               "documents": (0, MAX_ITEMS), "aliases": (0, MAX_ITEMS)}
TAXONOMY_FIELDS = {"topics": "topics", "clusters": "clusters", "audiences": "audiences"}
ALL_FIELDS = {"id", "delivery", "service_url", *STRING_FIELDS, *LIST_FIELDS}


@dataclass(frozen=True)
class Record:
    source: str           # file:line
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return self.data["id"]


@dataclass(frozen=True)
class Rejection:
    source: str
    error: str
    raw: str

    def __str__(self) -> str:
        return f"{self.source}: {self.error}"


class InvalidRecord(ValueError):
    pass


def _check_string(record: dict, name: str, *, required: bool = True) -> None:
    value = record.get(name)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord(f"{name}: expected a non-empty string, got {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise InvalidRecord(f"{name}: {len(value)} characters, at most {MAX_TEXT}")


def _check_list(record: dict, name: str, low: int, high: int) -> None:
    value = record.get(name)
    if not isinstance(value, list):
        raise InvalidRecord(f"{name}: expected a list, got {type(value).__name__}")
    if not low <= len(value) <= high:
        raise InvalidRecord(f"{name}: {len(value)} items, expected {low} to {high}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InvalidRecord(f"{name}[{i}]: expected a non-empty string")
        if len(item) > MAX_TEXT:
            raise InvalidRecord(f"{name}[{i}]: {len(item)} characters, at most {MAX_TEXT}")


def validate(record: Any, taxonomy: Taxonomy) -> dict[str, Any]:
    """Return the record if it is valid, else raise InvalidRecord saying which field and why."""
    if not isinstance(record, dict):
        raise InvalidRecord(f"expected a JSON object, got {type(record).__name__}")
    missing = sorted(ALL_FIELDS - {"service_url"} - record.keys())
    if missing:
        raise InvalidRecord(f"missing field(s): {', '.join(missing)}")
    unknown = sorted(record.keys() - ALL_FIELDS)
    if unknown:
        raise InvalidRecord(f"unknown field(s): {', '.join(unknown)}")
    if not isinstance(record["id"], str) or not ID_RE.match(record["id"]):
        raise InvalidRecord(f"id: {record['id']!r} is not of the form svc-NNNN")
    for name in STRING_FIELDS:
        _check_string(record, name)
    for name, (low, high) in LIST_FIELDS.items():
        _check_list(record, name, low, high)
    for name, vocab in TAXONOMY_FIELDS.items():
        unknown_slugs = [s for s in record[name] if s not in taxonomy.labels[vocab]]
        if unknown_slugs:
            raise InvalidRecord(f"{name}: unknown slug(s) {', '.join(map(repr, unknown_slugs))}")
    if record["delivery"] not in taxonomy.labels["delivery"]:
        raise InvalidRecord(f"delivery: {record['delivery']!r} is not one of "
                            f"{', '.join(taxonomy.labels['delivery'])}")
    if record["organization"] not in taxonomy.org_by_name:
        raise InvalidRecord(f"organization: {record['organization']!r} is not in organizations.json "
                            "(run `make organizations` after adding one)")
    url = record.get("service_url")
    if url is not None:
        _check_string(record, "service_url")
        if not url.startswith(("https://", "http://")):
            raise InvalidRecord(f"service_url: {url!r} is not an http(s) URL")
    if not record["organization_website"].startswith(("https://", "http://")):
        raise InvalidRecord("organization_website: not an http(s) URL")
    return record


def read_lines(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    for path in paths:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield f"{path}:{number}", line


def read_records(paths: Iterable[Path], taxonomy: Taxonomy) -> Iterator[Record | Rejection]:
    """Every non-blank line comes out once: as a Record, or as a Rejection saying why."""
    seen: dict[str, str] = {}
    for source, line in read_lines(paths):
        try:
            if len(line) > MAX_LINE:
                raise InvalidRecord(f"line is {len(line)} characters, at most {MAX_LINE}")
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidRecord(f"bad JSON: {exc.msg} at column {exc.colno}") from None
            validate(data, taxonomy)
            if data["id"] in seen:
                raise InvalidRecord(f"duplicate id {data['id']} (first at {seen[data['id']]})")
        except InvalidRecord as exc:
            yield Rejection(source, str(exc), line.rstrip("\n"))
            continue
        seen[data["id"]] = source
        yield Record(source, data)


def catalog_files(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("part-*.jsonl"))
