"""Load and merge mappings/ and analyzers/ JSON into an index body; a bad file fails naming file and key."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from indexer.config import ROOT

MAPPINGS = ROOT / "mappings"
ANALYZERS = ROOT / "analyzers"


class SchemaError(ValueError):
    """A mapping or analysis file is malformed; the message names the file and the key."""


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{path}:{exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: expected a JSON object")
    return {k: v for k, v in data.items() if not k.startswith("_")}


def load_word_list(path: Path) -> list[str]:
    """One entry per line; blank lines and lines starting with # are skipped."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def analysis_settings() -> dict[str, Any]:
    """analyzers/analysis.json with `@file` word lists inlined (core ES cannot read files from our repo)."""
    path = ANALYZERS / "analysis.json"
    analysis = _load_json(path)
    for name, spec in analysis.get("filter", {}).items():
        for key, value in list(spec.items()):
            if isinstance(value, str) and value.startswith("@"):
                words_path = ANALYZERS / value[1:]
                if not words_path.is_file():
                    raise SchemaError(f"{path}: filter.{name}.{key}: no such file {words_path}")
                spec[key] = load_word_list(words_path)
    return analysis


TYPES = "field_types.json"


def _mapping(name: str) -> tuple[dict[str, Any], Path, dict[str, Any]]:
    """mappings/field_types.json, then mappings/<name>.json's path and content."""
    types = _load_json(MAPPINGS / TYPES)
    path = MAPPINGS / f"{name}.json"
    return types, path, _load_json(path)


def properties(name: str = "services") -> tuple[dict[str, Any], str]:
    """Expand mappings/<name>.json's field -> type names with mappings/field_types.json."""
    return _properties(*_mapping(name))


def refresh_interval(name: str) -> str | None:
    """mappings/<name>.json's `refresh_interval` (how soon a write is searchable), if it sets one."""
    _, path, mapping = _mapping(name)
    value = mapping.get("refresh_interval")
    if value is not None and not (isinstance(value, str) and value[:-1].isdigit() and value[-1] in "smh"):
        raise SchemaError(f"{path}: refresh_interval: expected a time such as \"30s\", got {value!r}")
    return value


def _properties(types: dict[str, Any], mapping_path: Path, mapping: dict[str, Any]) -> tuple[dict[str, Any], str]:
    props: dict[str, Any] = {}
    for field, type_name in mapping.get("fields", {}).items():
        if type_name not in types:
            raise SchemaError(f"{mapping_path}: fields.{field}: unknown type {type_name!r} "
                              f"(not in {TYPES})")
        props[field] = types[type_name]
    if not props:
        raise SchemaError(f"{mapping_path}: fields: no fields defined")
    for target, sources in mapping.get("copy_to", {}).items():
        for source in [target, *sources]:
            if source not in props:
                raise SchemaError(f"{mapping_path}: copy_to.{target}: unknown field {source!r}")
        for source in sources:
            props[source] = {**props[source], "copy_to": [*props[source].get("copy_to", []), target]}
    return props, mapping.get("dynamic", "strict")


def index_sort(mapping_path: Path, mapping: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """A mapping's `sort` (the order documents are stored in) as index settings; each field must be
    a keyword field or sub-field with doc values."""
    fields = mapping.get("sort", [])
    if not isinstance(fields, list):
        raise SchemaError(f"{mapping_path}: sort: expected a list of field names")
    for field in fields:
        top, _, sub = str(field).partition(".")
        spec = props.get(top, {})
        if sub:
            spec = spec.get("fields", {}).get(sub, {})
        if spec.get("type") != "keyword" or spec.get("doc_values") is False:
            raise SchemaError(f"{mapping_path}: sort: {field!r} is not a keyword field with doc values")
    return {"sort.field": fields, "sort.order": ["asc"] * len(fields)} if fields else {}


def index_body(name: str = "services", shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    types, mapping_path, mapping = _mapping(name)
    props, dynamic = _properties(types, mapping_path, mapping)
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "analysis": analysis_settings(),
            **index_sort(mapping_path, mapping, props),
        },
        "mappings": {"dynamic": dynamic, "properties": props},
    }
