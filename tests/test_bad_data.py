"""Malformed data files: every bad line is rejected with file:line and a reason, the rest is indexed,
the rejected records are written out, and read = indexed + rejected. Real Elasticsearch, test-* aliases."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer import aliases
from indexer.records import MAX_LINE, MAX_TEXT
from indexer.reindex import LoadFailed, reindex
from tests.conftest import delete_test_indexes, unique_alias

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
GOOD = 20


def good_records() -> list[dict]:
    lines = (DATA / "part-1.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:GOOD]]


def bad_lines(template: dict) -> list[tuple[str, str]]:
    """(line, a fragment the rejection reason must contain)."""
    def variant(**changes) -> dict:
        record = {**template, "id": "svc-990001"}
        record.update(changes)
        return record

    missing = {k: v for k, v in variant().items() if k not in ("title", "steps")}
    return [
        ('{"id": "svc-990010", "title": "بسته نشده', "bad JSON"),
        ("[1, 2, 3]", "expected a JSON object"),
        ("null", "expected a JSON object"),
        (json.dumps(missing, ensure_ascii=False), "missing field(s): steps, title"),
        (json.dumps(variant(id="svc-990002", topics=["no-such-topic"]), ensure_ascii=False), "unknown slug"),
        (json.dumps(variant(id="svc-990003", organization="وزارت ناموجود"), ensure_ascii=False),
         "is not in organizations.json"),
        (json.dumps(variant(id="svc-990004", steps="not a list"), ensure_ascii=False), "steps: expected a list"),
        (json.dumps(variant(id="svc-990005", title=12345), ensure_ascii=False), "title: expected a non-empty string"),
        (json.dumps(variant(id="svc-990006", description="ا" * (MAX_TEXT + 1)), ensure_ascii=False),
         f"at most {MAX_TEXT}"),
        (json.dumps(variant(id="svc-990007", steps=["x" * 10] * 60), ensure_ascii=False), "steps: 60 items"),
        (json.dumps(variant(id="svc-990008", extra_field=1), ensure_ascii=False), "unknown field(s): extra_field"),
        (json.dumps(variant(id="not-an-id"), ensure_ascii=False), "is not of the form svc-NNNN"),
        (json.dumps(variant(id="svc-990009", delivery="by-pigeon"), ensure_ascii=False), "delivery"),
        ('{"padding": "' + "x" * (MAX_LINE + 10) + '"}', f"at most {MAX_LINE}"),
        (json.dumps(variant(id=template["id"]), ensure_ascii=False), "duplicate id"),   # same id as good #1
    ]


@pytest.fixture()
def bad_data_dir(tmp_path: Path) -> tuple[Path, list[tuple[int, str]]]:
    """A data dir: taxonomy + organizations + one part file, good and bad lines interleaved, blank lines too.
    Returns it and the (line number, expected reason fragment) of every bad line."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("taxonomy.json", "organizations.json"):
        shutil.copy(DATA / name, data / name)
    goods = good_records()
    bads = bad_lines(goods[0])
    lines: list[str] = []
    expected: list[tuple[int, str]] = []
    for i, record in enumerate(goods):
        lines.append(json.dumps(record, ensure_ascii=False))
        if i < len(bads):
            lines.append(bads[i][0])
            expected.append((len(lines), bads[i][1]))
        if i % 7 == 3:
            lines.append("   ")   # blank lines are skipped, not records
    for line, why in bads[len(goods):]:
        lines.append(line)
        expected.append((len(lines), why))
    (data / "part-1.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data, expected


@pytest.fixture()
def alias(es):
    name = unique_alias("bad-data")
    yield name
    delete_test_indexes(es, f"{name}*")


def test_bad_lines_are_rejected_with_file_and_line_and_the_rest_is_indexed(es, alias, bad_data_dir, tmp_path):
    data, expected = bad_data_dir
    result = reindex(es, alias, data)
    report = result.report
    assert report.indexed == GOOD
    assert report.rejected == len(expected)
    assert report.read == report.indexed + report.rejected == GOOD + len(expected)
    assert es.count(index=alias)["count"] == GOOD
    assert aliases.alias_targets(es, alias) == [result.index]

    part = data / "part-1.jsonl"
    by_source = {r.source: r for r in report.rejections}
    assert len(by_source) == len(expected)
    for line_number, fragment in expected:
        rejection = by_source.get(f"{part}:{line_number}")
        assert rejection is not None, f"line {line_number} was not rejected"
        assert fragment in rejection.error, (line_number, rejection.error)
        assert str(rejection).startswith(f"{part}:{line_number}: ")

    out = tmp_path / "out" / "rejected.jsonl"
    report.write_rejections(out)
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(written) == report.rejected
    raw_lines = part.read_text(encoding="utf-8").splitlines()
    for entry in written:
        assert set(entry) == {"source", "error", "raw"}
        line_number = int(entry["source"].rsplit(":", 1)[1])
        assert entry["raw"] == raw_lines[line_number - 1]   # the record as it was, to fix and reload


def test_a_mostly_bad_file_fails_the_load_and_leaves_the_alias_alone(es, alias, bad_data_dir, tmp_path):
    data, _ = bad_data_dir
    first = reindex(es, alias, data)
    part = data / "part-1.jsonl"
    lines = part.read_text(encoding="utf-8").splitlines()
    part.write_text("\n".join(lines[:3] + ["{broken"] * 50) + "\n", encoding="utf-8")
    with pytest.raises(LoadFailed, match="too many rejected records") as failure:
        reindex(es, alias, data)
    assert failure.value.report is not None and failure.value.report.rejected >= 50
    assert aliases.alias_targets(es, alias) == [first.index]
    assert es.count(index=alias)["count"] == GOOD
    assert aliases.versions(es, alias) == [first.index]   # the failed version deleted itself


def run_cli(es_settings, data: Path, alias: str, rejected: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ES_URL": es_settings.url, "PANJEREH_DATA": str(data), "PANJEREH_INDEX": alias,
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "indexer", "load", "--rejected", str(rejected)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_load_command_reports_and_writes_the_rejections(es, es_settings, alias, bad_data_dir, tmp_path):
    data, expected = bad_data_dir
    rejected = tmp_path / "rejected.jsonl"
    done = run_cli(es_settings, data, alias, rejected)
    assert done.returncode == 0, done.stderr
    total = GOOD + len(expected)
    assert f"read {total} = indexed {GOOD} + rejected {len(expected)}" in done.stdout
    assert str(rejected) in done.stdout
    part = data / "part-1.jsonl"
    for line_number, _ in expected:
        assert f"rejected {part}:{line_number}: " in done.stderr
    assert len(rejected.read_text(encoding="utf-8").splitlines()) == len(expected)
    assert es.count(index=alias)["count"] == GOOD

    # mostly bad: exit status 1, alias left as it was, rejections still written
    part.write_text("\n".join(["{broken"] * 30) + "\n", encoding="utf-8")
    failed = run_cli(es_settings, data, alias, rejected)
    assert failed.returncode == 1
    assert f"alias {alias} left as it was" in failed.stderr
    assert len(rejected.read_text(encoding="utf-8").splitlines()) == 30
    assert es.count(index=alias)["count"] == GOOD


def test_the_load_command_names_a_bad_setting(tmp_path):
    env = {**os.environ, "PANJEREH_DATA": str(tmp_path / "missing"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "indexer", "load"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "PANJEREH_DATA" in done.stderr
