"""The two-pass search on the real Elasticsearch: `match_query` decides which services match,
`rescore` ranks the best of them with every signal (`text_query`)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from search_app.catalog import load_catalog
from search_app.params import parse
from search_app.query import RESCORE_WINDOW, Bodies, build_body, rescore_window
from search_app.relevance import RECALL_MIN_MATCH, QueryForms, match_query, text_query

QUERIES = Path(__file__).parent / "relevance" / "dev-queries.jsonl"


@pytest.fixture(scope="module")
def catalog(indexed):
    return load_catalog(indexed.data_dir)


def dev_queries() -> list[str]:
    lines = QUERIES.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


def ids(response) -> list[str]:
    return [h["_id"] for h in response["hits"]["hits"]]


def test_the_rescored_ranking_is_the_full_ranking_of_the_services_that_match(es, indexed, catalog):
    """For every dev query, the first page equals what the full scoring query alone ranks first
    among the services the first pass lets in (nothing good is lost outside the window)."""
    differ = []
    for q in dev_queries():
        body = build_body(parse([("q", q)], catalog.taxonomy), catalog.best_bets)
        got = es.search(index=indexed.alias, body={**body, "_source": False})
        full = es.search(index=indexed.alias, size=10, source=False, query={"bool": {
            "must": [text_query(q, catalog.best_bets)], "filter": [match_query(q, catalog.best_bets)]}})
        if ids(got) != ids(full):
            differ.append((q, ids(got)[:3], ids(full)[:3]))
        assert got["hits"]["total"] == full["hits"]["total"]
    assert not differ, differ[:5]


def _scored(query):
    """The same query with every fixed-score clause (`constant_score`) scored word by word again."""
    if isinstance(query, dict):
        if "constant_score" in query:
            return _scored(query["constant_score"]["filter"])
        return {key: _scored(value) for key, value in query.items()}
    if isinstance(query, list):
        return [_scored(value) for value in query]
    return query


def test_clauses_that_find_without_ranking_find_what_they_found_scored(es, indexed, catalog):
    """The first pass's fixed scores (compounds, steps and documents, synonyms, life-event phrases,
    Finglish readings) change which services come first, never which match: for every dev query,
    the same services as with each of those clauses scored word by word."""
    with_fixed = 0
    for q in dev_queries():
        query = match_query(q, catalog.best_bets)
        fixed = [c for c in query["bool"]["should"] if "constant_score" in c and "ids" not in c["constant_score"]["filter"]]
        with_fixed += bool(fixed)
        found = sorted(ids(es.search(index=indexed.alias, query=query, size=1000, source=False)))
        scored = sorted(ids(es.search(index=indexed.alias, query=_scored(query), size=1000, source=False)))
        assert found == scored, q
    assert with_fixed == len(dev_queries())   # every query has some: its compounds at least


RECALL_SOURCES = ("title", "aliases", "organization_name", "taxonomy_labels", "description")


def test_the_recall_field_lets_in_what_its_source_fields_together_do(es, indexed):
    """`recall` (copy_to of five fields) finds the services that cross_fields over those five finds,
    as written and written together, for every dev query."""
    def matching(text: str, fields: list[str]) -> list[str]:
        query = {"multi_match": {"query": text, "fields": fields, "type": "cross_fields",
                                 "minimum_should_match": RECALL_MIN_MATCH}}
        return sorted(ids(es.search(index=indexed.alias, query=query, size=1000, source=False)))

    nonempty = 0
    for q in dev_queries():
        forms = QueryForms.of(q)
        for text, suffix in ((" ".join(forms.recall), ""), (forms.normalized, ".joined")):
            found = matching(text, [f"recall{suffix}"])
            assert found == matching(text, [f + suffix for f in RECALL_SOURCES]), (q, suffix)
            nonempty += bool(found)
    assert nonempty > len(dev_queries())


def test_a_service_sharing_one_common_word_with_the_query_does_not_match(es, indexed, catalog):
    q = "تمدید گذرنامه"
    body = build_body(parse([("q", q)], catalog.taxonomy), catalog.best_bets)
    total = es.search(index=indexed.alias, body=body)["hits"]["total"]["value"]
    fields = ["title", "aliases", "description", "steps", "documents", "organization_name", "taxonomy_labels"]
    either = es.count(index=indexed.alias, query={"multi_match": {"query": q, "fields": fields}})["count"]
    both = es.count(index=indexed.alias, query={"multi_match": {"query": q, "fields": fields,
                                                                "type": "cross_fields", "operator": "and"}})["count"]
    assert both <= total < either / 2, (both, total, either)


@pytest.mark.parametrize("q, expected", [
    ("چه مدارکی برای تمدید گذرنامه لازم است", ("مدارک", "تمدید", "گذرنامه", "لازم")),
    ("تاریخ تولدم تو شناسنامه ۲ سال اشتباهه", ("تاریخ", "تولد", "شناسنامه", "سال", "اشتباه")),   # inflections, no digits
    ("برای نونوایی کارت بهداشت لازمه", ("کارت", "بهداشت", "لازمه")),                          # نونوایی: unknown
    ("۱۴۰۴", ("1404",)),   # a query of only a number still has something to find
])
def test_the_words_a_service_must_mostly_have(q, expected):
    assert QueryForms.of(q).recall == expected


def test_a_deep_page_is_inside_the_rescore_window(catalog):
    body = build_body(parse([("q", "گواهینامه"), ("page", "12"), ("size", "20")], catalog.taxonomy))
    assert body["rescore"]["window_size"] == max(RESCORE_WINDOW, 11 * 20 + 20)
    assert "sort" not in body   # rescoring needs the score order
    plain = build_body(parse([("topic", sorted(catalog.taxonomy.labels["topics"])[0])], catalog.taxonomy))
    assert "rescore" not in plain and plain["sort"] == ["id"]


@pytest.mark.parametrize("shards, page, size, window", [
    (1, 1, 10, 100), (2, 1, 10, 50), (3, 1, 10, 34), (2, 6, 10, 60), (4, 3, 20, 60)])
def test_each_shard_ranks_its_share_of_the_window_and_at_least_as_deep_as_the_page(catalog, shards, page, size, window):
    params = parse([("q", "گواهینامه"), ("page", str(page)), ("size", str(size))], catalog.taxonomy)
    assert rescore_window(params, shards) == window


def test_the_window_follows_the_shards_the_index_answers_from(es, indexed, catalog):
    """The app learns an index's shards from its answers (`_shards.total`): on a copy of the catalog
    in 2 shards, its bodies then rank 50 a shard, and the 100 best of the first pass are still ranked
    (the same first page as ranking 100 a shard, for the dev queries)."""
    from elasticsearch import helpers

    from indexer.client import make_async_client
    from indexer.schema import index_body
    from search_app.search import search
    from search_app.vocabulary import CatalogWords
    from tests.conftest import delete_test_indexes, run_async

    two = f"{indexed.alias}-two-shards"
    es.indices.create(index=two, **index_body("services", shards=2))
    try:
        copied = helpers.bulk(es, ({"_index": two, "_id": hit["_id"], "_source": hit["_source"]}
                                   for hit in helpers.scan(es, index=indexed.alias)), refresh=True)[0]
        assert copied == es.count(index=indexed.alias)["count"]   # (no _reindex in a core-only node)
        bodies = Bodies(catalog.best_bets)
        params = parse([("q", "تمدید گذرنامه")], catalog.taxonomy)
        assert bodies(params).hits["rescore"]["window_size"] == 100

        async def first_search():
            client = make_async_client(indexed)
            try:
                return await search(client, two, params, catalog.taxonomy, bodies, CatalogWords(client, two))
            finally:
                await client.close()

        first = run_async(first_search)
        assert first.hits and first.hits[0].id == ids(es.search(index=two, body=bodies(params).hits))[0]
        assert bodies.shards == 2 and bodies(params).hits["rescore"]["window_size"] == 50
        wide = Bodies(catalog.best_bets, shards=1)   # 100 a shard: 200 ranked
        differ = []
        for q in dev_queries():
            p = parse([("q", q)], catalog.taxonomy)
            got, full = (es.search(index=two, body={**b(p).hits, "_source": False}) for b in (bodies, wide))
            if ids(got) != ids(full):
                differ.append((q, ids(got)[:3], ids(full)[:3]))
        assert not differ, differ[:5]
    finally:
        delete_test_indexes(es, two)


def test_request_bodies_are_built_once_per_search_and_left_unchanged_by_searching(es, indexed, catalog):
    import copy

    from search_app.counts import hits_body
    from search_app.query import Bodies

    bodies = Bodies(catalog.best_bets, size=2)
    first = parse([("q", "تمدید گذرنامه"), ("topic", "passport-travel")], catalog.taxonomy)
    body = bodies(first)
    assert body.hits == hits_body(build_body(first, catalog.best_bets))
    assert [json.loads(line) for line in body.payload.splitlines()] == body.searches()  # what is sent
    before = copy.deepcopy(body)
    def answers(**request):
        return [([h["_id"] for h in r["hits"]["hits"]], r.get("aggregations"))
                for r in es.msearch(index=indexed.alias, **request)["responses"]]

    assert answers(body=body.payload) == answers(searches=body.searches())
    assert bodies(parse([("q", "تمدید گذرنامه"), ("topic", "passport-travel")], catalog.taxonomy)) is body
    assert body == before
    bodies(parse([("q", "a")], catalog.taxonomy))
    bodies(parse([("q", "b")], catalog.taxonomy))      # the oldest of three goes
    assert bodies(first) is not body and bodies(first) == body
