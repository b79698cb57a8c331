"""SearchParams -> Elasticsearch request body (pure, no I/O).

Multi-select facets the elasticsearch-dsl way (`FacetedSearch`): hits are narrowed with
`post_filter`, and each facet's aggregation is filtered by every other facet's selection, so the
counts stay right while values are selected. The app sends the page of that body, and counts
with the same semantics in searches of their own, at a bounded cost (search_app/counts.py).

Text is searched in two passes (search_app/relevance.py): `match_query` finds the services and
gives them a cheap score, then `rescore` ranks the best RESCORE_WINDOW of them with every signal
(`text_query`). The cost of a search then grows with the services that match, not with the number
of clauses times the services that share a word with the query.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from elasticsearch.dsl import FacetedSearch, Q, TermsFacet

from indexer.bulk import serialize
from search_app.counts import EXACT_LIMIT, count_body, groups, hits_body
from search_app.facets import FACETS
from search_app.params import SearchParams
from search_app.relevance import QueryForms, highlight_queries, match_query, text_query

RESULT_SOURCE = ["display.id", "display.title", "display.organization", "display.organization_slug",
                 "display.topics", "display.clusters", "display.delivery", "display.service_url",
                 "display.description"]
# Services ranked with every signal (more when the page asked for lies deeper). What the window costs
# is the first pass collecting that many services, not the rescoring: the more it keeps, the lower
# the score a service needs to enter, the fewer Lucene can skip. On a million services (40 searches
# of the benchmark's mix, mean ES took) the first pass takes 15 ms keeping 10, 21 keeping 50 and
# 27 keeping 100; 27 with the rescore too. A smaller window ranks no worse first: the dev and
# holdout metrics are the same with 30, 50 or 100 on the real catalog, and on the million
# (scripts/scale_relevance.py) s@1 is 0.941 / 0.932 / 0.928 with 30 / 50 / 100. But below 100,
# the rest of the first page is no longer the full ranking's for some dev queries on the real
# catalog (tests/test_two_pass.py), and pages past the window would rank over a larger one than
# the pages before them, so 100 stays.
# Elasticsearch applies `window_size` to each shard, so an index of several shards would rank 100
# per shard; each ranks its share instead (`rescore_window`). The services a first pass keeps are
# spread over the shards evenly (ids are hashed): on the million, 2 shards keeping 50 each rank as
# 1 keeping 100 (s@1 0.928), and in less time than 2 keeping 100 each (p50 ~12% less).
RESCORE_WINDOW = 100


def rescore_window(params: SearchParams, shards: int = 1) -> int:
    """What each shard ranks with every signal: its share of RESCORE_WINDOW, and at least as deep as
    the page asked for (any one shard may hold every service up to it)."""
    return max(-(-RESCORE_WINDOW // shards), params.offset + params.size)


class ServiceSearch(FacetedSearch):
    facets = {spec.param: TermsFacet(field=spec.field, size=spec.size) for spec in FACETS}

    def __init__(self, params: SearchParams, best_bets: Mapping[str, Sequence[str]] | None = None,
                 catalog: frozenset[str] = frozenset()):
        self._best_bets, self._catalog = best_bets, catalog
        self._built = None
        super().__init__(query=params.q or None, filters=dict(params.filters))

    def build_search(self):  # type: ignore[override]
        """Built once: FacetedSearch builds its search in __init__, and build_body asks for it again
        (each build converts the whole query into DSL objects: ~0.7 ms of a new search's ~2 ms)."""
        if self._built is None:
            self._built = super().build_search()
        return self._built

    def query(self, search, query):  # type: ignore[override]
        return search.query(Q(match_query(query, self._best_bets, self._catalog)))

    def highlight(self, search):  # type: ignore[override]
        return search

    def sort(self, search):  # type: ignore[override]
        if self._query:
            return search  # by score (rescore allows no other sort)
        return search.sort("id")


def build_body(params: SearchParams, best_bets: Mapping[str, Sequence[str]] | None = None,
               catalog: frozenset[str] = frozenset(), shards: int = 1) -> dict[str, Any]:
    """`catalog`: the query's words that the lexicon lacks but the catalog has (search_app/vocabulary.py);
    `shards`: the searched index's (see `rescore_window`)."""
    search = ServiceSearch(params, best_bets, catalog).build_search()
    search = search[params.offset: params.offset + params.size]
    search = search.source(RESULT_SOURCE).extra(track_total_hits=True)
    if params.q:
        search = search.extra(rescore={"window_size": rescore_window(params, shards), "query": {
            "rescore_query": text_query(params.q, best_bets, catalog), "query_weight": 0.0,
            "rescore_query_weight": 1.0}})
        search = search.highlight_options(fragment_size=160, number_of_fragments=1, encoder="html",
                                          pre_tags=["<mark>"], post_tags=["</mark>"])
        for field, query in highlight_queries(params.q).items():
            search = search.highlight(field, highlight_query=query)
        did_you_mean = did_you_mean_suggester(params.q, catalog)
        if did_you_mean:
            search = search.extra(suggest={"did_you_mean": did_you_mean})
    return search.to_dict()


class Bodies:
    """The request bodies of a search for one app (one set of best bets): `build_body` split into the
    page and the counts (search_app/counts.py), remembering the most recent `size` searches: citizens
    repeat searches, and elasticsearch-dsl takes ~1 ms to build one. Bodies are shared: callers must
    not change them. `shards`: the searched index's, as its answers tell (`learn`)."""

    def __init__(self, best_bets: Mapping[str, Sequence[str]] | None = None, size: int = 4096,
                 exact_limit: int = EXACT_LIMIT, shards: int = 1) -> None:
        self.best_bets, self.size, self.exact_limit, self.shards = best_bets, size, exact_limit, shards
        self._cache: OrderedDict[Hashable, Planned] = OrderedDict()

    def learn(self, shards: int) -> None:
        """The shards an answer came from (`_shards.total`): after an alias moves to an index of
        another layout, the bodies remembered for the old one go."""
        if shards != self.shards and shards > 0:
            self.shards = shards
            self._cache.clear()

    @staticmethod
    def key(params: SearchParams, catalog: frozenset[str] = frozenset()) -> Hashable:
        return (params.q, tuple((spec.param, params.selected(spec.param)) for spec in FACETS),
                params.page, params.size, catalog)

    def __call__(self, params: SearchParams, catalog: frozenset[str] = frozenset()) -> "Planned":
        key = self.key(params, catalog)
        planned = self._cache.get(key)
        if planned is None:
            body = build_body(params, self.best_bets, catalog, self.shards)
            query = body.get("query", {"match_all": {}})
            planned = self._cache[key] = Planned.of(
                hits_body(body), tuple(count_body(query, group, self.exact_limit) for group in groups(params)))
            if len(self._cache) > self.size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return planned


class Planned(NamedTuple):
    hits: dict[str, Any]                 # the page
    counts: tuple[dict[str, Any], ...]   # the count search of each group of facets (search_app/counts.py)
    payload: bytes                       # `searches()` as the msearch body, encoded once

    @classmethod
    def of(cls, hits: dict[str, Any], counts: tuple[dict[str, Any], ...]) -> "Planned":
        """Encoded here, with orjson, and remembered with the bodies: the client would otherwise encode
        the same searches again with the standard library's json on every request (~5% of the API's
        CPU a search), and passes bytes through untouched."""
        planned = cls(hits, counts, b"")
        return planned._replace(payload=b"".join(serialize(part) + b"\n" for part in planned.searches()))

    def searches(self) -> list[dict[str, Any]]:
        """The one msearch request the app sends: a header and a body per search, the page first."""
        return [part for body in (self.hits, *self.counts) for part in ({}, body)]


MAX_SUGGEST_WORDS = 5   # content words; longer queries are sentences, not misspelled names
MAX_UNKNOWN = 2


# Function words of written Persian: the catalog has them, so the suggester leaves them alone.
# Any other stop word (کنم، چطوری، میخوام...) marks a spoken sentence that the suggester, which
# only knows the catalog's formal text, would "correct" into nonsense (کنم → کند).
FORMAL_FUNCTION_WORDS = frozenset({"و", "در", "به", "از", "برای", "با", "که", "را", "تا", "یا", "بر"})


def looks_like_a_typo(forms: QueryForms) -> bool:
    """A short query whose only odd words are unknown to the lexicon (not colloquial inflections
    of known words, which mark everyday speech rather than misspelling), in written rather than
    spoken Persian, and not Finglish."""
    words = forms.normalized.split()
    spoken = any(w not in FORMAL_FUNCTION_WORDS for w in words if w not in forms.content)
    return (bool(forms.fuzzy) and len(forms.fuzzy) <= MAX_UNKNOWN and not forms.resolved
            and not spoken and not forms.alternatives and len(forms.content) <= MAX_SUGGEST_WORDS)


def did_you_mean_suggester(q: str, catalog: frozenset[str] = frozenset()) -> dict | None:
    """A phrase suggester over the catalog's own words (the `spell` field: title, aliases,
    description, with 2–3 word shingles as its language model), asked only when a word of the
    query is unknown to the lexicon (a likely typo; see `looks_like_a_typo`), and never for
    Finglish. Candidates are one edit away from the word (two-edit candidates were mostly noise). It returns an option only when the corrected phrase scores at least
    `confidence` × the query's own score, so a query the catalog already explains gets no
    suggestion. (`collate`, which would check that the suggestion has hits, needs the mustache
    script engine: this core-only Elasticsearch has none.)"""
    forms = QueryForms.of(q, catalog)
    if not looks_like_a_typo(forms):
        return None
    return {
        "text": forms.normalized,
        "phrase": {
            "field": "spell", "size": 1, "gram_size": 3, "max_errors": 2, "confidence": 1.0,
            "direct_generator": [{"field": "spell", "suggest_mode": "missing", "min_word_length": 3, "max_edits": 1,
                                  "prefix_length": 1}],
        },
    }
