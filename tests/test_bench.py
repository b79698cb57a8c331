"""scripts/bench.py against a real Elasticsearch: what it changes on an index it is given, it puts back."""
from __future__ import annotations

from elasticsearch import Elasticsearch

from scripts.bench import query_cache
from tests.conftest import delete_test_indexes, unique_alias


def _query_cache_setting(es: Elasticsearch, index: str) -> str | None:
    settings = es.indices.get_settings(index=index, name="index.queries.cache.enabled")
    return settings.get(index, {}).get("settings", {}).get("index", {}).get("queries", {}).get("cache", {}).get("enabled")


def test_query_cache_is_turned_off_and_back_to_the_default_with_the_index_searchable(es):
    index = unique_alias("bench-qc")
    es.indices.create(index=index, settings={"number_of_replicas": 0})
    try:
        es.index(index=index, id="1", document={"title": "گذرنامه"}, refresh=True)
        query_cache(es, index, False)
        assert _query_cache_setting(es, index) == "false"
        assert es.count(index=index)["count"] == 1      # reopened and serving
        query_cache(es, index, None)
        assert _query_cache_setting(es, index) is None  # the default again
        assert es.count(index=index)["count"] == 1
    finally:
        delete_test_indexes(es, index)
