"""The query log (written off the request path to <alias>-queries, no personal data) and
`python -m search_app.report` over it and the feedback index."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from indexer.client import make_async_client
from indexer.config import ESSettings
from indexer.schema import refresh_interval
from analyzers.normalize import normalize_query
from search_app import report
from search_app.app import create_app
from search_app.config import Settings
from search_app.params import SearchParams
from search_app.querylog import QueryLog, entry
from search_app.search import Results
from search_app.sideindex import ensure_index, mapping
from tests.conftest import run_async, unique_alias

MARK = "تمدید گذرنامه"
ZERO = "ژژژژ ثثثث"          # near no word of the catalog


@pytest.fixture(scope="module")
def logged(indexed: ESSettings, es) -> Iterator[ESSettings]:
    """Searches through an app with the query log on; leaving the client flushes the log."""
    settings = Settings(es=indexed, query_log=True, query_log_flush_seconds=0.2, feedback_per_minute=1000)
    with TestClient(create_app(settings)) as client:
        for _ in range(3):
            assert client.get("/", params={"q": MARK}).status_code == 200
        assert client.get("/api/search", params={"q": "تمديد  گذرنامه"}).status_code == 200  # Arabic ی, spaces
        for _ in range(2):
            assert client.get("/", params={"q": ZERO}).status_code == 200
        assert client.get("/", params={"q": MARK, "topic": "passport-travel", "page": 1}).status_code == 200
        assert client.get("/topics/tax").status_code == 200
        for _ in range(4):
            assert client.post("/services/svc-1010/feedback", data={"useful": "no"},
                               follow_redirects=False).status_code == 303
        service = client.app.state.searcher.querylog
        assert service.dropped == 0
    es.indices.refresh(index=f"{indexed.alias}-queries")
    es.indices.refresh(index=f"{indexed.alias}-feedback")
    yield indexed


def test_query_log_documents_hold_no_personal_data(logged, es):
    index = f"{logged.alias}-queries"
    hits = es.search(index=index, size=100, sort=["timestamp"])["hits"]["hits"]
    docs = [h["_source"] for h in hits]
    assert len(docs) >= 8
    for doc in docs:
        assert set(doc) == {"timestamp", "query", "filters", "total", "page", "took_ms"}
    filtered = [d for d in docs if d["filters"] == ["topic:passport-travel"]]
    assert filtered and filtered[0]["query"] == MARK and filtered[0]["total"] > 0
    browse = [d for d in docs if d["filters"] == ["topic:tax"]]
    assert browse and browse[0]["query"] == ""
    mapping = es.indices.get_mapping(index=index)[index]["mappings"]
    assert mapping["dynamic"] == "strict"


def test_report_ranks_top_and_zero_result_queries(logged, es):
    result = report.build(es, logged.alias, days=1)
    top = {r.query: r for r in result.top}
    assert top[MARK].searches >= 5                 # normalized: the Arabic-letter variant counts too
    assert result.top[0].query == MARK
    assert "" not in top                           # browsing is not a query
    zero = {r.query: r for r in result.zero}
    assert zero[normalize_query(ZERO)].searches == 2 and MARK not in zero
    assert result.searches >= 7 and result.zero_searches >= 2
    worst = result.worst[0]
    assert worst.service_id == "svc-1010" and worst.score == 0.0 and worst.total >= 4
    assert worst.title and worst.title != "?"


def test_report_prints_tables_and_a_summary_line(logged, monkeypatch, capsys):
    monkeypatch.setenv("PANJEREH_INDEX", logged.alias)
    assert report.main(["--days", "2", "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "Top queries" in out and "Zero-result queries" in out and "worst feedback" in out
    assert MARK in out and normalize_query(ZERO) in out and "svc-1010" in out
    assert out.strip().splitlines()[-1].startswith("last 2 day(s): ")


def test_report_over_an_empty_log_is_empty_not_an_error(es, es_settings):
    result = report.build(es, "test-nothing-logged-here", days=7)
    assert (result.searches, result.top, result.zero, result.worst) == (0, [], [], [])
    assert "(none)" in report.render(result)


def test_report_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        report.main(["--days", "0"])


def test_query_log_buffer_is_bounded_and_never_blocks():
    log = QueryLog(es=None, alias="test-x", max_queue=10)  # type: ignore[arg-type]
    results = Results(params=SearchParams(q="x"), total=0, took_ms=1, hits=[], facets=[])
    for _ in range(15):
        log.record(results)
    assert len(log._buffer) == 10 and log.dropped == 5


def test_entry_normalizes_the_query():
    results = Results(params=SearchParams(q="  گواهينامه   رانندگي ", filters={"delivery": ("online",)}, page=2),
                      total=3, took_ms=7, hits=[], facets=[])
    doc = entry(results)
    assert doc["query"] == "گواهینامه رانندگی" and doc["filters"] == ["delivery:online"]
    assert (doc["total"], doc["page"], doc["took_ms"]) == (3, 2, 7)


def test_query_log_off_leaves_the_searcher_alone(client):
    assert client.app.state.querylog is None
    assert not hasattr(client.app.state.searcher, "querylog")


def test_query_log_index_is_made_searchable_every_30s_as_its_mapping_file_says(logged, es, es_settings):
    index = f"{logged.alias}-queries"
    assert refresh_interval("queries") == "30s"
    assert es.indices.get_settings(index=index)[index]["settings"]["index"]["refresh_interval"] == "30s"
    # an index made before the file set it gets it on the log's first write
    older = unique_alias("older") + "-queries"
    es.indices.create(index=older, mappings=mapping("queries"))

    async def first_write() -> bool:
        client = make_async_client(es_settings)
        try:
            return await ensure_index(client, older, "queries")
        finally:
            await client.close()

    try:
        assert run_async(first_write) is False
        assert es.indices.get_settings(index=older)[older]["settings"]["index"]["refresh_interval"] == "30s"
    finally:
        es.indices.delete(index=older)

