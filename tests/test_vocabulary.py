"""The catalog's own words (search_app/vocabulary.py) on the real Elasticsearch: a word hazm's lexicon
lacks but the catalog uses is matched as typed, not as a typo."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from elasticsearch import AsyncElasticsearch

from indexer.client import make_async_client
from search_app.catalog import load_catalog
from search_app.params import parse
from search_app.query import build_body
from search_app.relevance import QueryForms, match_query, text_query
from search_app.vocabulary import CatalogWords, catalog_words
from tests.conftest import run_async

QUERIES = Path(__file__).parent / "relevance" / "dev-queries.jsonl"


def known(settings, words, size=100_000):
    async def ask():
        es: AsyncElasticsearch = make_async_client(settings)
        try:
            vocabulary = CatalogWords(es, settings.alias, size)
            first = await vocabulary.known(words)
            again = await vocabulary.known(words)   # from memory
            return first, again, len(vocabulary._known)
        finally:
            await es.close()
    return run_async(ask)


def test_the_catalogs_jargon_is_known_and_typos_are_not(indexed):
    words = ("الکترونیکی", "پارکینگ", "بازنشستگان", "گذرنامع", "دادگاخ")
    assert all(w in QueryForms.of(" ".join(words)).unknown for w in words)   # hazm knows none of them
    first, again, remembered = known(indexed, words)
    assert first == again == {"الکترونیکی", "پارکینگ", "بازنشستگان"}
    assert remembered == len(words)


def test_scripts_ask_the_same_with_a_synchronous_client(es, indexed):
    q = "صورت حساب الکترونیکی پارکینگ گذرنامع"
    assert catalog_words(es, indexed.alias, q) == known(indexed, QueryForms.of(q).unknown)[0] == {"الکترونیکی", "پارکینگ"}
    assert catalog_words(es, indexed.alias, "تمدید گذرنامه") == frozenset()   # no unknown word: nothing asked


def test_what_is_remembered_is_bounded(indexed):
    _, _, remembered = known(indexed, ("الکترونیکی", "پارکینگ", "گذرنامع"), size=2)
    assert remembered == 2


def test_jargon_is_matched_as_typed_and_typos_stay_fuzzy():
    q = "صورت حساب الکترونیکی گذرنامع"
    plain, told = QueryForms.of(q), QueryForms.of(q, frozenset({"الکترونیکی"}))
    assert plain.fuzzy == ("الکترونیکی", "گذرنامع") and plain.jargon == ()
    assert told.fuzzy == ("گذرنامع",) and told.jargon == ("الکترونیکی",)
    assert told.recall == plain.recall        # which words must be found does not change
    for query in (match_query(q, catalog=frozenset({"الکترونیکی"})), text_query(q, catalog=frozenset({"الکترونیکی"}))):
        typo_clauses = [c["multi_match"] for c in query["bool"]["should"]
                        if "multi_match" in c and c["multi_match"]["query"] in ("الکترونیکی", "گذرنامع")]
        assert {c["query"]: "fuzziness" in c for c in typo_clauses} == {"الکترونیکی": False, "گذرنامع": True}


def test_dev_queries_with_jargon_keep_their_best_service(es, indexed):
    """Matching the catalog's words as typed instead of with typo tolerance leaves the first result
    of every dev query that has such a word where it was."""
    catalog = load_catalog(indexed.data_dir)
    queries = [json.loads(line)["q"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    candidates = [q for q in queries if QueryForms.of(q).unknown]
    jargon = known(indexed, tuple({w for q in candidates for w in QueryForms.of(q).unknown}))[0]
    checked = 0
    for q in candidates:
        words = frozenset(QueryForms.of(q).unknown) & jargon
        if not words:
            continue
        params = parse([("q", q)], catalog.taxonomy)
        before = es.search(index=indexed.alias, body={**build_body(params, catalog.best_bets), "_source": False})
        after = es.search(index=indexed.alias, body={**build_body(params, catalog.best_bets, words), "_source": False})
        assert [h["_id"] for h in after["hits"]["hits"][:1]] == [h["_id"] for h in before["hits"]["hits"][:1]], q
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize("q", ["پارکینگ", "سامانه مودیان الکترونیکی"])
def test_the_app_asks_no_did_you_mean_for_the_catalogs_words(client, q):
    body = client.get("/api/search", params={"q": q}).json()
    assert body["total"] > 0 and body["suggestion"] is None
