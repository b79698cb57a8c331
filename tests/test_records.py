import json
from pathlib import Path

import pytest

from indexer.records import Record, Rejection, catalog_files, read_records
from indexer.taxonomy import load_taxonomy

DATA = Path(__file__).resolve().parent.parent / "data"
TAXONOMY = load_taxonomy(DATA)


def good_record(**changes):
    first = json.loads(catalog_files(DATA)[0].read_text(encoding="utf-8").splitlines()[0])
    return {**first, **changes}


def test_the_shipped_catalog_is_valid_and_complete():
    items = list(read_records(catalog_files(DATA), TAXONOMY))
    assert len(items) == 425
    assert all(isinstance(i, Record) for i in items)
    assert len({i.id for i in items}) == 425


def test_shipped_catalog_matches_shared_catalog():
    shared = DATA.parent.parent / "shared" / "catalog"
    if not shared.is_dir():
        pytest.skip("../shared/catalog is not beside the project")
    for path in sorted(shared.glob("part-*.jsonl")):
        assert (DATA / path.name).read_bytes() == path.read_bytes()


def write_lines(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "part-9.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("line, fragment", [
    ("{not json", "bad JSON"),
    ("[1, 2]", "expected a JSON object"),
    (json.dumps({"id": "svc-1"}), "missing field(s)"),
    (json.dumps(good_record(id="x-1")), "svc-NNNN"),
    (json.dumps(good_record(topics=["nope"])), "topics: unknown slug"),
    (json.dumps(good_record(delivery="postal")), "delivery"),
    (json.dumps(good_record(steps="one step")), "steps: expected a list"),
    (json.dumps(good_record(title="")), "title: expected a non-empty string"),
    (json.dumps(good_record(description="x" * 6000)), "at most 5000"),
    (json.dumps(good_record(organization="وزارت ناموجود")), "organization"),
    (json.dumps(good_record(extra=1)), "unknown field(s): extra"),
])
def test_bad_records_are_rejected_with_file_line_and_reason(tmp_path, line, fragment):
    path = write_lines(tmp_path, [json.dumps(good_record(id="svc-1")), line])
    items = list(read_records([path], TAXONOMY))
    assert isinstance(items[0], Record)
    assert isinstance(items[1], Rejection)
    assert items[1].source == f"{path}:2"
    assert fragment in items[1].error
    assert str(items[1]).startswith(f"{path}:2: ")


def test_duplicate_ids_are_rejected_pointing_at_the_first(tmp_path):
    path = write_lines(tmp_path, [json.dumps(good_record(id="svc-7")), json.dumps(good_record(id="svc-7"))])
    first, second = read_records([path], TAXONOMY)
    assert isinstance(first, Record) and isinstance(second, Rejection)
    assert "duplicate id svc-7" in second.error and f"{path}:1" in second.error


def test_blank_lines_are_not_records(tmp_path):
    path = write_lines(tmp_path, ["", json.dumps(good_record(id="svc-3")), "   "])
    assert [i.id for i in read_records([path], TAXONOMY)] == ["svc-3"]
