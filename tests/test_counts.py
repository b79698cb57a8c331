"""Bounded counting (search_app/counts.py) on the real Elasticsearch: exact below the limit, estimated
from a random sample above it, the page itself never changed.

The test catalog is small, so the limits are set small: an app that counts exactly at most 20
matching services and samples ~200 of the 425 (probability 0.47), against the default app."""
from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from search_app.app import create_app
from search_app.counts import Counting, read, rounded

BROAD = [{"q": "درخواست"}, {"q": "کارت ملی"}, {"q": "درخواست", "delivery": "online"}, {"topic": "welfare"}]


@pytest.fixture(scope="module")
def sampling(app_settings):
    with TestClient(create_app(replace(app_settings, counting=Counting(exact_limit=20, sample_size=200)))) as c:
        yield c


@pytest.fixture(scope="module")
def recounting(app_settings):
    """Counting stops at 20, but a sample of 20,000 is more than half of the index: the counts are
    then taken again, exactly."""
    with TestClient(create_app(replace(app_settings, counting=Counting(exact_limit=20, sample_size=20_000)))) as c:
        yield c


def get(client, params):
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def counts(body):
    return {facet: {v["value"]: v["count"] for v in values} for facet, values in body["facets"].items()}


def ids(body):
    return [r["id"] for r in body["results"]]


def test_rounded_estimates():
    assert [rounded(n) for n in (0, 7, 99, 100, 1234, 96_372, 1_005_000)] == [0, 7, 99, 100, 1200, 96_000, 1_000_000]


def test_the_probability_keeps_the_sampler_below_one_half():
    counting = Counting(exact_limit=10_000, sample_size=20_000)
    assert counting.probability(1_000_000) == 0.02
    assert counting.probability(40_000) is None and counting.probability(0) is None


@pytest.mark.parametrize("params", BROAD)
def test_broad_searches_get_estimates_close_to_the_exact_counts(client, sampling, params):
    exact, estimated = get(client, params), get(sampling, params)
    assert exact["total"] > 20 and exact["total_exact"] and exact["facet_counts_exact"]
    assert not estimated["facet_counts_exact"]
    # the page is not an estimate, nor is a total of at most MAX_RESULT_WINDOW (paging needs it)
    assert ids(estimated) == ids(exact)
    assert estimated["total_exact"] and estimated["total"] == exact["total"]
    # the largest value of each facet is found in the sample, its count roughly right
    for facet, values in counts(exact).items():
        top, n = max(values.items(), key=lambda kv: kv[1])
        if n >= 30:
            assert abs(counts(estimated)[facet].get(top, 0) - n) <= 0.5 * n, (facet, top)


@pytest.mark.parametrize("params", BROAD[:2])
def test_estimates_do_not_change_from_page_to_page(sampling, params):
    first, second = get(sampling, params), get(sampling, {**params, "page": 2})
    assert first["total"] == second["total"] and counts(first) == counts(second)
    assert not set(ids(first)) & set(ids(second))


def test_narrow_searches_stay_exact(client, sampling):
    params = {"q": "تمدید گذرنامه"}
    exact, small = get(client, params), get(sampling, params)
    assert exact["total"] <= 20
    assert small["total_exact"] and small["facet_counts_exact"]
    assert small["total"] == exact["total"] and counts(small) == counts(exact) and ids(small) == ids(exact)


def test_a_selected_value_is_listed_even_when_the_sample_missed_it(client, sampling):
    exact = get(client, {"q": "درخواست"})
    rare = min((v for v in exact["facets"]["organization"]), key=lambda v: v["count"])["value"]
    body = get(sampling, {"q": "درخواست", "organization": rare})
    assert any(v["value"] == rare and v["selected"] for v in body["facets"]["organization"])
    assert body["total"] == get(client, {"q": "درخواست", "organization": rare})["total"]   # a few: exact


def test_the_whole_catalog_is_counted_exactly(client, sampling):
    """No query, no selection: Elasticsearch counts each value from the index itself, in constant time
    (terms as filters), so collection never starts and never stops early."""
    exact, counted = get(client, {}), get(sampling, {})
    assert counted["total_exact"] and counted["facet_counts_exact"] and counts(counted) == counts(exact)


def test_an_index_too_small_to_sample_is_counted_again_exactly(client, recounting):
    for params in BROAD:
        exact, again = get(client, params), get(recounting, params)
        assert again["total_exact"] and again["facet_counts_exact"]
        assert again["total"] == exact["total"] and counts(again) == counts(exact)


def test_a_total_beyond_the_limit_is_the_samples_estimate():
    """(More than MAX_RESULT_WINDOW services would have to match: the responses are Elasticsearch's
    shape, as the 425-service test catalog cannot give them.)"""
    hits = {"hits": {"total": {"value": 10_000, "relation": "gte"}, "hits": []}}
    sample = {"aggregations": {"sample": {"doc_count": 1_931, "seed": 1405, "probability": 0.02,
                                          "delivery": {"buckets": [{"key": "online", "doc_count": 50_123}]}}}}
    counted = read(hits, [sample], probability=0.02)
    assert (counted.total, counted.total_exact, counted.facets_exact) == (97_000, False, False)
    assert counted.buckets == {"delivery": [{"key": "online", "doc_count": 50_000}]}
    few = {"aggregations": {"sample": {"doc_count": 150}}}     # a sample can fall below what was counted
    assert read(hits, [few], probability=0.02).total == 10_000
    # past the page's 1,000 but within the limit: the first group counted them all
    counted_all = {"hits": {"total": {"value": 4_321, "relation": "eq"}}, "aggregations": {}}
    assert read({"hits": {"total": {"value": 1_000, "relation": "gte"}}}, [counted_all]).total_exact
    assert read({"hits": {"total": {"value": 1_000, "relation": "gte"}}}, [counted_all]).total == 4_321
    exact = read({"hits": {"total": {"value": 12, "relation": "eq"}}},
                 [{"hits": {"total": {"value": 12, "relation": "eq"}}, "aggregations": {"x": {"buckets": []}}}])
    assert (exact.total, exact.total_exact, exact.facets_exact, exact.buckets) == (12, True, True, {"x": []})


def test_groups_share_a_filter():
    from search_app.counts import groups
    from search_app.params import SearchParams

    assert [(len(g.facets), g.filters) for g in groups(SearchParams(q="x"))] == [(5, ())]
    two = groups(SearchParams(q="x", filters={"topic": ("welfare",), "delivery": ("online", "hybrid")}))
    assert [([f.param for f in g.facets], g.filters) for g in two] == [
        (["organization", "cluster", "audience"], ({"terms": {"topics": ["welfare"]}},
                                                   {"terms": {"delivery": ["online", "hybrid"]}})),
        (["topic"], ({"terms": {"delivery": ["online", "hybrid"]}},)),
        (["delivery"], ({"terms": {"topics": ["welfare"]}},)),
    ]


def test_the_page_says_when_counts_are_estimates(sampling, client):
    estimated = sampling.get("/", params={"q": "درخواست"})
    assert estimated.status_code == 200
    assert not estimated.context["results"].counts_exact
    assert "≈" in estimated.text and "تخمینی" in estimated.text
    exact = client.get("/", params={"q": "درخواست"})
    assert exact.context["results"].total_exact and "≈" not in exact.text
