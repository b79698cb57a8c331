"""Versioned indexes behind an alias, against the real Elasticsearch (test-* names only)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer import aliases
from indexer.reindex import LoadFailed, reindex
from tests.conftest import delete_test_indexes, unique_alias

DATA = Path(__file__).resolve().parent.parent / "data"


def small_data(tmp_path: Path, lines: list[str]) -> Path:
    for name in ("taxonomy.json", "organizations.json"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "part-1.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def catalog_lines(n: int) -> list[str]:
    return (DATA / "part-1.jsonl").read_text(encoding="utf-8").splitlines()[:n]


@pytest.fixture
def alias(es):
    name = unique_alias("reindex")
    yield name
    delete_test_indexes(es, f"{name}*")


def test_reindex_swaps_the_alias_and_prunes_the_old_version(es, alias, tmp_path):
    data = small_data(tmp_path, catalog_lines(5))
    first = reindex(es, alias, data)
    assert aliases.alias_targets(es, alias) == [first.index]
    assert es.count(index=alias)["count"] == 5
    second = reindex(es, alias, data)
    assert aliases.alias_targets(es, alias) == [second.index]
    assert second.retired == [first.index] and second.pruned == [first.index]
    assert not es.indices.exists(index=first.index)


def test_bad_records_are_reported_and_the_rest_indexed(es, alias, tmp_path):
    lines = catalog_lines(3) + ["{broken", json.dumps({"id": "svc-9"})]
    result = reindex(es, alias, small_data(tmp_path, lines))
    report = result.report
    assert (report.read, report.indexed, report.rejected) == (5, 3, 2)
    assert report.summary() == "read 5 = indexed 3 + rejected 2"
    assert [r.source.rsplit(":", 1)[1] for r in report.rejections] == ["4", "5"]
    out = tmp_path / "rejected.jsonl"
    report.write_rejections(out)
    assert [json.loads(line)["source"] for line in out.read_text().splitlines()] == \
           [r.source for r in report.rejections]


def test_a_failed_load_leaves_the_live_alias_untouched(es, alias, tmp_path):
    good = reindex(es, alias, small_data(tmp_path, catalog_lines(4)))
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    with pytest.raises(LoadFailed) as info:
        reindex(es, alias, small_data(bad_dir, ["{nope", "[]", json.dumps(json.loads(catalog_lines(1)[0]))]),
                max_rejected_ratio=0.5)
    assert "too many rejected" in str(info.value)
    assert aliases.alias_targets(es, alias) == [good.index]
    assert es.count(index=alias)["count"] == 4
    assert aliases.versions(es, alias) == [good.index]  # the failed version was deleted


def test_swap_refuses_a_concrete_index_named_like_the_alias(es, alias):
    es.indices.create(index=alias)
    with pytest.raises(aliases.AliasError):
        aliases.swap(es, alias, "test-whatever")


def test_delete_helper_refuses_non_test_indexes(es):
    for pattern in ("panjereh-services*", "*", "test-*", "test-"):
        with pytest.raises(ValueError):
            delete_test_indexes(es, pattern)


def test_a_new_version_is_loaded_without_refreshes_then_merged_and_refreshed_as_usual(
        es, alias, tmp_path, monkeypatch):
    """Loading leaves many small segments; the version the alias moves to has been merged to one
    segment and has its refresh interval back (the load switched it off)."""
    import indexer.reindex as reindex_module

    data = small_data(tmp_path, catalog_lines(40))
    seen: list[dict] = []
    real_load = reindex_module.load

    def watching_load(es_, index, *args, **kwargs):  # the real load, after a look at the settings
        seen.append(es_.indices.get_settings(index=index)[index]["settings"]["index"])
        return real_load(es_, index, *args, **kwargs)

    monkeypatch.setattr(reindex_module, "load", watching_load)
    result = reindex(es, alias, data, merge_segments=1)
    assert seen[0]["refresh_interval"] == "-1"
    settings = es.indices.get_settings(index=result.index)[result.index]["settings"]["index"]
    assert "refresh_interval" not in settings
    segments = es.indices.stats(index=result.index, metric="segments")["_all"]["primaries"]["segments"]
    assert segments["count"] == 1
    assert es.count(index=alias)["count"] == 40


def test_merge_reports_progress_while_elasticsearch_merges(es, alias, tmp_path):
    from indexer.reindex import merge

    result = reindex(es, alias, small_data(tmp_path, catalog_lines(10)), merge_segments=0)
    lines: list[str] = []
    merge(es, result.index, 1, log=lines.append, poll_s=0.001)
    assert lines[0].endswith("merging segments down to 1") and lines[-1].startswith(f"{result.index}: merged in")


def test_services_are_stored_by_organization_then_title(es, indexed):
    """Index sorting (mappings/services.json `sort`): the catalog, merged to one segment, is stored
    with each organization's services together, by title, whatever order the files list them in."""
    hits = es.search(index=indexed.alias, sort=["_doc"], size=1000, source=["id", "organization", "title"],
                     query={"match_all": {}})["hits"]["hits"]
    stored = [(h["_source"]["organization"], h["_source"]["title"]) for h in hits]
    assert len(stored) == es.count(index=indexed.alias)["count"] > 100
    assert stored == sorted(stored)
    listed = [json.loads(line)["id"] for path in sorted(DATA.glob("part-*.jsonl"))
              for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [h["_source"]["id"] for h in hits] != listed   # not merely the files' own order
