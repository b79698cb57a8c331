"""What the API sends to Elasticsearch is bounded and never interprets user text as query syntax.

Pure tests on `search_app.query.build_body` (the exact request body), no Elasticsearch needed.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from indexer.taxonomy import load_taxonomy
from search_app.catalog import load_catalog
from search_app.facets import FACETS
from search_app.params import MAX_QUERY, MAX_RESULT_WINDOW, MAX_SIZE, MAX_VALUES, ParamError, parse
from search_app.query import build_body

DATA = Path(__file__).resolve().parent.parent / "data"
TAXONOMY = load_taxonomy(DATA)
BEST_BETS = load_catalog(DATA).best_bets
# whitelisted filter values (a query may happen to equal one: «police» as q and as organization)
VOCABULARY = {*TAXONOMY.organizations, *(slug for vocab in TAXONOMY.labels.values() for slug in vocab)}

# Query types that parse their input as a query language (Lucene syntax, regexes, scripts...).
# User text must only ever reach Elasticsearch as the plain text of match/term-style queries.
SYNTAX_QUERIES = {"query_string", "simple_query_string", "regexp", "wildcard", "script", "script_score",
                  "intervals", "span_multi", "template", "percolate", "wrapper", "prefix"}
# The keys under which user text may appear: the text of a match-style query or a term value.
TEXT_KEYS = {"query", "value", "values"}

SYNTAX_ATTACKS = [
    'title:گذرنامه AND organization:* OR _exists_:display',
    '"unterminated phrase',
    "گذرنامه~2 تمدید^100 /.*/",
    "a* ?b [1 TO 9] {x TO y} (nested (groups)) \\\\ escaped",
    '{"query": {"match_all": {}}}',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "${jndi:ldap://127.0.0.1/x}",
    "\u202e\u200c\u200dگذرنامه\ufeff",
]


def walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for value in node:
            yield from walk(value, path)


def keys_of(body: dict[str, Any]) -> set[str]:
    return {path[-1] for path, _ in walk(body) if path}


def structure_of(body: dict[str, Any]) -> set[str]:
    """The keys of a body and its string values other than text (option values, field names)."""
    return keys_of(body) | {value for path, value in walk(body)
                            if isinstance(value, str) and path and path[-1] not in TEXT_KEYS}


def assert_safe(body: dict[str, Any], q: str) -> None:
    used = keys_of(body)
    assert not used & SYNTAX_QUERIES, f"query-language query types in the body: {used & SYNTAX_QUERIES}"
    norm = q.strip()
    if len(norm) <= 3 or norm in STRUCTURE:
        return   # too short to trace, or equal to a word the builder writes whatever the user typed
    # every place a string derived from the user's text appears is a plain text/term value
    for path, value in walk(body):
        if isinstance(value, str) and value == norm and norm not in VOCABULARY:
            assert path[-1] in TEXT_KEYS, f"user text under {'.'.join(path)}"
    # user text never becomes a key (a field name, an option) of the body
    for path, _ in walk(body):
        assert not path or path[-1] not in (q, norm), f"user text as a key at {'.'.join(path)}"


def assert_bounded(body: dict[str, Any]) -> None:
    assert 1 <= body["size"] <= MAX_SIZE
    assert body.get("from", 0) + body["size"] <= MAX_RESULT_WINDOW
    expected = {spec.param: spec.size for spec in FACETS}
    for name, agg in body.get("aggs", {}).items():
        for path, node in walk(agg):
            if path and path[-1] == "terms" and "field" in node:   # a terms aggregation
                assert node["size"] <= 100, f"{name}: {node['size']} buckets"
                assert node["size"] == expected[name.removeprefix("_filter_")]
    for path, node in walk(body):
        if path and path[-1] == "terms" and isinstance(node, dict) and "field" not in node:  # a filter
            for field, values in node.items():
                assert len(values) <= MAX_VALUES, f"{field}: {len(values)} values"


def body_for(*pairs: tuple[str, str]) -> dict[str, Any]:
    return build_body(parse(list(pairs), TAXONOMY), BEST_BETS)


# Keys and strings the builder writes for any query (option names, field names, "html"...): a query
# that happens to equal one («track_total_hits») cannot be told apart from it, so is not traced.
STRUCTURE = set().union(*(structure_of(body_for(*pairs)) for pairs in [
    [("q", "گذرنامه")], [("q", "تمدید گذرنامه"), ("page", "2"), ("delivery", "online")],
    [("q", "گذرنامح")],   # a word the lexicon lacks (a typo): typo-tolerant clauses, their options
    [("topic", sorted(TAXONOMY.labels["topics"])[0])], [],
]))


@pytest.mark.parametrize("q", SYNTAX_ATTACKS)
def test_query_syntax_in_user_text_stays_text(q):
    body = body_for(("q", q))
    assert_safe(body, q)
    assert_bounded(body)
    text = json.dumps(body, ensure_ascii=False)
    assert "query_string" not in text and "simple_query_string" not in text


def test_no_query_string_anywhere_in_the_source():
    root = Path(__file__).resolve().parent.parent
    for package in ("search_app", "indexer", "analyzers"):
        for path in (root / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            assert "query_string" not in source, f"{path}: query_string (user text as Lucene syntax)"


def test_query_length_is_bounded():
    assert body_for(("q", "ب" * MAX_QUERY))
    with pytest.raises(ParamError, match="^q: "):
        parse([("q", "ب" * (MAX_QUERY + 1))], TAXONOMY)
    # whitespace and control characters do not count, so padding cannot smuggle more text in
    params = parse([("q", " " * 5000 + "گذرنامه" + "\x00" * 5000)], TAXONOMY)
    assert params.q == "گذرنامه"


@pytest.mark.parametrize("page, size, ok", [
    (1, MAX_SIZE, True), (MAX_RESULT_WINDOW // MAX_SIZE, MAX_SIZE, True), (MAX_RESULT_WINDOW, 1, True),
    (MAX_RESULT_WINDOW // MAX_SIZE + 1, MAX_SIZE, False), (MAX_RESULT_WINDOW + 1, 1, False),
    (1, MAX_SIZE + 1, False), (10**18, 10**18, False),
])
def test_page_times_size_is_bounded(page, size, ok):
    pairs = [("q", "گذرنامه"), ("page", str(page)), ("size", str(size))]
    if ok:
        body = build_body(parse(pairs, TAXONOMY), BEST_BETS)
        assert body["from"] + body["size"] == page * size <= MAX_RESULT_WINDOW
    else:
        with pytest.raises(ParamError):
            parse(pairs, TAXONOMY)


def test_facet_sizes_are_bounded_and_fit_every_vocabulary_value():
    body = body_for(("q", "گذرنامه"))
    assert_bounded(body)
    for spec in FACETS:
        vocabulary = TAXONOMY.organizations if spec.vocabulary == "organizations" else TAXONOMY.labels[spec.vocabulary]
        assert len(vocabulary) <= spec.size <= 100, spec


def test_filter_values_are_whitelisted_and_counted():
    topics = sorted(TAXONOMY.labels["topics"])
    assert_bounded(body_for(*[("topic", t) for t in topics[:MAX_VALUES]]))
    with pytest.raises(ParamError, match="^topic: unknown value"):
        parse([("topic", "identity OR *")], TAXONOMY)
    with pytest.raises(ParamError, match="^organization: "):
        parse([("organization", "x" * 10_000)], TAXONOMY)


PAIR = st.tuples(
    st.sampled_from(["q", "page", "size", "topic", "cluster", "audience", "delivery", "organization"]),
    st.one_of(st.text(max_size=60), st.sampled_from(SYNTAX_ATTACKS),
              st.sampled_from(sorted(TAXONOMY.labels["topics"]) + ["online", "citizens", "police"]),
              st.integers(0, 2000).map(str)),
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PAIR, max_size=8))
@example([("q", "track_total_hits")])   # Hypothesis draws strings from the code: an option name as q
@example([("q", "title.exact")])
@example([("q", "html")])
@example([("q", "prefix_length")])   # an option of the typo-tolerant clause only a word unknown to the lexicon gets
def test_every_accepted_request_builds_a_safe_bounded_body(pairs):
    try:
        params = parse(pairs, TAXONOMY)
    except ParamError:
        return
    body = build_body(params, BEST_BETS)
    assert_safe(body, params.q)
    assert_bounded(body)
