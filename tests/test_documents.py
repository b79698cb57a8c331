import json
from pathlib import Path

import pytest

from indexer.documents import build_document
from indexer.records import catalog_files
from indexer import schema
from indexer.schema import SchemaError, index_body, properties, refresh_interval
from indexer.taxonomy import load_taxonomy

DATA = Path(__file__).resolve().parent.parent / "data"
TAXONOMY = load_taxonomy(DATA)
RECORD = json.loads(catalog_files(DATA)[0].read_text(encoding="utf-8").splitlines()[0])


def test_document_has_exactly_the_mapped_fields():
    doc = build_document(RECORD, TAXONOMY)
    props, dynamic = properties("services")
    copied = {target for spec in props.values() for target in spec.get("copy_to", [])}
    assert dynamic == "strict"
    assert copied == {"recall"}
    assert set(doc) == set(props) - copied   # Elasticsearch fills the copy_to targets


def test_recall_is_copied_from_the_names_taxonomy_and_description():
    props, _ = properties("services")
    sources = {field for field, spec in props.items() if "recall" in spec.get("copy_to", [])}
    assert sources == {"title", "aliases", "organization_name", "taxonomy_labels", "description"}
    assert props["recall"]["analyzer"] == props["title"]["analyzer"] == "fa_text"
    assert "copy_to" not in props["steps"]


def test_unknown_copy_to_field_fails_naming_file_and_key(tmp_path, monkeypatch):
    from indexer import schema

    (tmp_path / "field_types.json").write_text('{"keyword": {"type": "keyword"}}')
    (tmp_path / "services.json").write_text(
        '{"fields": {"id": "keyword", "all": "keyword"}, "copy_to": {"all": ["id", "titel"]}}')
    monkeypatch.setattr(schema, "MAPPINGS", tmp_path)
    with pytest.raises(SchemaError, match=r"services.json: copy_to.all: unknown field 'titel'"):
        properties("services")


def test_facet_fields_are_slugs_and_display_keeps_the_record_as_written():
    doc = build_document(RECORD, TAXONOMY)
    assert doc["organization"] == "sabteahval"
    assert doc["topics"] == RECORD["topics"] and doc["delivery"] == RECORD["delivery"]
    assert doc["display"]["title"] == RECORD["title"]
    assert doc["display"]["organization_slug"] == "sabteahval"


def test_search_fields_are_normalized():
    record = {**RECORD, "title": "صدور گواهي‌نامه ۱۲", "aliases": ["كارت"]}
    doc = build_document(record, TAXONOMY)
    assert doc["title"] == "صدور گواهی نامه 12"
    assert doc["aliases"] == ["کارت"]
    assert "\u200c" not in doc["description"]
    assert "هویت و ثبت احوال" in doc["taxonomy_labels"]


def test_index_body_inlines_the_stop_list():
    body = index_body()
    stop = body["settings"]["analysis"]["filter"]["fa_stop"]["stopwords"]
    assert "و" in stop and "خدمات" not in stop and "نام" not in stop
    assert body["mappings"]["properties"]["title"]["analyzer"] == "fa_text"


def test_services_are_stored_sorted_by_organization_then_title():
    settings = index_body()["settings"]
    assert settings["sort.field"] == ["organization", "title.exact"]
    assert settings["sort.order"] == ["asc", "asc"]
    assert "sort.field" not in index_body("queries")["settings"]


@pytest.fixture
def mappings_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty mappings/ that the schema reads, for the files a test writes into it."""
    monkeypatch.setattr(schema, "MAPPINGS", tmp_path)
    return tmp_path


def test_a_sort_on_a_field_without_doc_values_fails_naming_file_and_key(mappings_dir):
    (mappings_dir / "field_types.json").write_text(
        '{"keyword": {"type": "keyword"}, "text": {"type": "text", "fields": {"exact": {"type": "keyword"}}}}')
    (mappings_dir / "services.json").write_text(
        '{"fields": {"id": "keyword", "title": "text"}, "sort": ["title.exact", "title"]}')
    with pytest.raises(SchemaError, match=r"services.json: sort: 'title' is not a keyword field with doc values"):
        schema.index_body("services")
    (mappings_dir / "services.json").write_text('{"fields": {"id": "keyword"}, "sort": "id"}')
    with pytest.raises(SchemaError, match=r"services.json: sort: expected a list of field names"):
        schema.index_body("services")


def test_unknown_field_type_fails_naming_file_and_key(mappings_dir):
    (mappings_dir / "field_types.json").write_text('{"keyword": {"type": "keyword"}}')
    (mappings_dir / "services.json").write_text('{"fields": {"id": "keyword", "title": "nope"}}')
    with pytest.raises(SchemaError, match=r"services.json: fields.title: unknown type 'nope'"):
        properties("services")


def test_bad_json_fails_naming_file_and_line(mappings_dir):
    (mappings_dir / "field_types.json").write_text('{\n  "keyword": {"type": }\n}')
    with pytest.raises(SchemaError, match=r"field_types.json:2:"):
        properties("services")


def test_a_bad_refresh_interval_fails_naming_file_and_key(mappings_dir):
    (mappings_dir / "field_types.json").write_text('{"keyword": {"type": "keyword"}}')
    (mappings_dir / "queries.json").write_text('{"fields": {"query": "keyword"}, "refresh_interval": 30}')
    with pytest.raises(SchemaError, match=r"queries.json: refresh_interval: expected a time such as \"30s\", got 30"):
        refresh_interval("queries")
