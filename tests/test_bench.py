"""scripts/bench.py against a real Elasticsearch: what it changes on an index it is given, it puts back."""
from __future__ import annotations

import httpx
from elasticsearch import Elasticsearch

from scripts.appserver import serve_app
from scripts.bench import FORWARDER, machine_ticks, pooled, query_cache, steal_pct, verdicts
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


def test_the_forwarder_answers_what_elasticsearch_answers(indexed, es):
    """scripts/forwarder.py (`bench.py --floor`): the app's stack with no search logic, in its own
    uvicorn process, passes an msearch through to the served alias and its answer back."""
    body = ('{}\n{"query": {"match": {"title": "گذرنامه"}}, "size": 3, "_source": ["display.id"]}\n'
            '{}\n{"size": 0, "query": {"term": {"delivery": "online"}}, "track_total_hits": true}\n').encode()
    env = {"ES_URL": indexed.url, "PANJEREH_INDEX": indexed.alias}
    with serve_app(env, factory=FORWARDER) as (url, _):
        got = httpx.post(f"{url}/_msearch", content=body, headers={"content-type": "application/x-ndjson"},
                         timeout=10).json()["responses"]
    want = es.msearch(index=indexed.alias, body=body)["responses"]
    ids = [[h["_id"] for h in r["hits"]["hits"]] for r in (got[0], want[0])]
    assert ids[0] == ids[1] and len(ids[0]) == 3
    assert got[1]["hits"]["total"] == want[1]["hits"]["total"] and want[1]["hits"]["total"]["value"] > 0


def test_pooled_percentiles_weigh_each_run_by_its_requests():
    """`--query-rounds`: the rounds' latencies read as one set, each run's quantile grid standing for
    its requests in equal shares."""
    fast = {"requests": 300, "grid": [10.0] * 99 + [40.0]}      # 1 % of 300 requests slow
    slow = {"requests": 100, "grid": [20.0] * 90 + [80.0] * 10}  # 10 % of 100
    assert pooled([fast], 50) == 10.0 and pooled([fast], 99) == 10.0 and pooled([fast], 99.5) == 40.0
    # 400 requests: 297 at 10, 90 at 20, 3 at 40, 10 at 80; the slowest 1 % (4) are all at 80
    assert pooled([fast, slow], 99) == 80.0
    assert pooled([fast, slow], 97) == 40.0    # 387 at or under 20, 390 under 40: 97 % is 388
    assert pooled([fast, slow], 50) == 10.0 and pooled([slow, fast], 50) == 10.0


def test_steal_is_the_share_of_the_machines_cpu_time_other_tenants_took():
    before = machine_ticks("cpu  100 0 50 800 10 0 5 35 7 0\ncpu0 50 0 25 400 5 0 2 18 0 0\n")
    after = machine_ticks("cpu  150 0 60 880 10 0 5 45 9 0\ncpu0 75 0 30 440 5 0 2 23 0 0\n")
    assert before == (35, 1000) and after == (45, 1150)     # guest time is already in user time
    assert steal_pct(before, after) == 100 * 10 / 150
    assert steal_pct(after, after) == 0.0
    steal, total = machine_ticks()                           # this machine's own
    assert 0 <= steal <= total and total > 0


def test_rounds_disturbed_by_other_tenants_are_left_out_of_the_verdict_and_shown(capsys):
    def side(p99, rps=100.0):
        return {"p50": p99 / 2, "p99": p99, "rps": rps, "steal_pct": 0.0}

    def round_(n, app_p99, disturbed):
        return {"concurrency": 4, "app_workers": 1, "round": n, "es": side(70.0), "app": side(app_p99, 90.0),
                "disturbed": disturbed}

    verdicts([round_(1, 75.0, False), round_(2, 160.0, True), round_(2, 78.0, False)])
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "p99 vs ES ok (76.5 vs 70.0 ms)" in line
    assert "1 rounds disturbed by other tenants left out (with them: API p99 78.0 vs 70.0 ms, +8.0)" in line
