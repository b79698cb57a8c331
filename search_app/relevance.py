"""The text part of a search: citizen's words -> a scored Elasticsearch query (pure, no I/O).

All the Python work on a query (normalization, Finglish transliteration, stemming, synonyms,
life-event vocabulary, choosing the words worth typo tolerance) happens once per distinct query
string and is cached (`QueryForms.of`). The Elasticsearch query then adds up several signals:

* the citizen's words over every text field, boosted by field (title > aliases > organization >
  taxonomy > description > steps > documents), and over the shingle `.joined` sub-fields so that
  «گواهینامه» / «گواهی نامه» / «ثبتنام» meet;
* the stemmed words over the `*_stem` fields (گواهینامه‌ام → گواهینامه);
* a coverage bonus when most of the words land in the names (title, aliases);
* phrase proximity on the names, and an exact-title / exact-alias bonus;
* synonyms and the life-event vocabulary (analyzers/synonyms.py), weighted below the citizen's words;
* for Finglish, the best Persian reading as the citizen's words and the other readings weighted low;
* typo tolerance only for words hazm's lexicon does not know, only on the names, prefix kept;
* best bets: pinned services first, in the order they are listed.

Those signals rank (`text_query`); which services match at all is decided apart, and cheaply
(`match_query`): most of the citizen's words (`QueryForms.recall`) must be found in what a service
is called, who offers it, its taxonomy or its description (as written, stemmed, or written
together), or all of them in its steps and documents; or a synonym, a life-event phrase, a Finglish
reading or a likely typo must be. Before, every service sharing one common word with the query
(«درخواست», «کارت») matched, was scored with every signal and was counted in the facets: 43% of
a million-service catalog for the average search of the benchmark's mix (now 10%), which is what
made search slow on a large catalog and the facet counts meaningless. search_app/query.py runs the
two as a first pass and a rescore of its best services.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from analyzers.finglish import is_finglish, transliterate
from analyzers.finglish import warm as warm_finglish
from analyzers.normalize import normalize_query
from analyzers.stem import lexicon, stem
from analyzers.synonyms import expand

TEXT_FIELDS = (
    "title^6", "title.joined^3", "aliases^5", "aliases.joined^2.5",
    "organization_name^2", "taxonomy_labels^1.5",
    "description^1.5", "description.joined^0.5", "steps^0.7", "documents^0.5",
)
NAME_FIELDS = ("title^2", "aliases^1.5", "names_stem^1.5", "organization_name^1")
STEM_FIELDS = ("names_stem^4", "body_stem^1")
EXPANSION_FIELDS = ("title^3", "aliases^3", "names_stem^2", "organization_name^1",
                    "taxonomy_labels^1", "description^0.7", "body_stem^0.5")
# Typo tolerance on the names only, the `.joined` sub-fields included: most compounds are written
# with a ZWNJ in the catalog, so «گواهینامح» can only meet «گواهینامه» there.
FUZZY_FIELDS = ("title^2", "aliases^2", "title.joined^1.5", "aliases.joined^1.5", "organization_name^1")
# Where match_query looks. Most of the words must be found in `recall`: what a service is called,
# who offers it, its taxonomy and its description, copied into one field at index time
# (mappings/services.json `copy_to`), so each word is one posting list to score rather than five
# (cross_fields over the five fields finds the same services, tests/test_two_pass.py; on a million
# benchmark services the first pass's p99 fell from 127-148 to 65-71 ms, and ranked alone, without
# the rescore, it puts the right service first as often on the dev queries). The names weigh more
# through `names_stem`. These two are scored: they bring the best services into the rescore window.
RECALL_PLAIN = ("recall^2",)
RECALL_STEMMED = ("names_stem^4",)
# The other ways in find services without ranking them (`_found`: a fixed score, no field boosts).
# `recall.joined` is where split and joined compounds meet. In the procedural text (steps,
# documents), which repeats the same few words across the catalog («درخواست»، «کارت ملی»), only all
# of them together count.
RECALL_JOINED = ("recall.joined",)
RECALL_BODY = ("description", "steps", "documents")
RECALL_BODY_STEMMED = ("body_stem",)
# Synonyms, life-event phrases and Finglish readings: where their words are looked for (the same
# services as the six fields title, aliases, names_stem, organization, taxonomy and description
# it replaces).
RECALL_EXPANSION = ("recall", "names_stem")
FOUND_SCORE = 10.0       # a service found through compounds or its steps and documents
EXPANSION_SCORE = 15.0   # × the weight of the synonym, phrase or reading that found it
RECALL_MIN_MATCH = "2<75%"  # one or two content words: all of them; more: three in four
SYNONYM_BOOST = 0.6
VOCABULARY_BOOST = 0.6
FINGLISH_ALT_BOOST = 0.4
FUZZY_BOOST = 3.0
BEST_BET_BOOST = 1000.0   # the last pinned id gets this; each one above it gets this much more
MIN_FUZZY_LEN = 3
_PERSIAN_WORD = re.compile("[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]+")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The same stop list as the index analyzers (analyzers/stopwords_fa.txt)."""
    from indexer.schema import ANALYZERS, load_word_list

    return frozenset(load_word_list(ANALYZERS / "stopwords_fa.txt"))


@dataclass(frozen=True)
class QueryForms:
    """The forms of one query that the signals match on."""

    normalized: str                 # what the citizen typed, normalized (Persian reading for Finglish)
    stemmed: str                    # content words, stemmed
    content: tuple[str, ...]        # words that are not stop words
    synonyms: tuple[str, ...] = ()
    related: tuple[tuple[str, int], ...] = ()   # life-event vocabulary: (words, specificity)
    alternatives: tuple[str, ...] = ()  # other Finglish readings, and the Latin text itself
    fuzzy: tuple[str, ...] = ()     # unknown words the catalog does not use either: likely typos
    resolved: tuple[str, ...] = ()  # colloquial inflections read as their known stem (سنم → سن)
    recall: tuple[str, ...] = ()    # the words most of which a service must have (see match_query)
    unknown: tuple[str, ...] = ()   # Persian words the lexicon cannot explain (nor their stem)
    jargon: tuple[str, ...] = ()    # unknown words the catalog uses: matched as typed where typos are tolerated

    @classmethod
    def of(cls, q: str, catalog: frozenset[str] = frozenset()) -> "QueryForms":
        """`catalog`: words the lexicon lacks but the catalog uses (search_app/vocabulary.py): not
        typos, so no typo tolerance for them (they still count as unknown words otherwise)."""
        return _forms(q, catalog)


@lru_cache(maxsize=50_000)
def _forms(q: str, catalog: frozenset[str]) -> QueryForms:
    norm = normalize_query(q)
    alternatives: tuple[str, ...] = ()
    if is_finglish(norm):
        persian, others = transliterate(norm)
        if persian:
            alternatives = (*others, norm)
            norm = persian
    stops = stopwords()
    content = tuple(w for w in norm.split() if w not in stops)
    known = lexicon()
    unknown = tuple(w for w in content if len(w) >= MIN_FUZZY_LEN and _PERSIAN_WORD.fullmatch(w)
                    and w not in known and stem(w) not in known)
    fuzzy = tuple(w for w in unknown if w not in catalog)
    jargon = tuple(w for w in unknown if w in catalog)
    resolved = tuple(dict.fromkeys(
        s for w in content if w not in known and (s := stem(w)) != w and s in known and s not in content))
    synonyms, related = expand(norm)
    # What must be found: the content words, a colloquial inflection as its known stem (تولدم → تولد);
    # not numbers (they rank, «پایه ۱»; a catalog often writes them out) and not unknown words
    # (typos, slang, and catalog jargon the lexicon lacks: the typo clause, the expansions and the
    # `.joined` clause, which takes the query as typed, look for those).
    readings = (s if w not in known and (s := stem(w)) in known else w for w in content if w not in unknown)
    recall = tuple(dict.fromkeys(w for w in readings if not w.isdigit())) or content
    return QueryForms(
        normalized=norm,
        stemmed=" ".join(stem(w) for w in content),
        content=content,
        synonyms=synonyms,
        related=related,
        alternatives=alternatives,
        fuzzy=fuzzy,
        resolved=resolved,
        recall=recall,
        unknown=unknown,
        jargon=jargon,
    )


def _expansion(text: str, boost: float) -> dict[str, Any]:
    return {"multi_match": {"query": text, "fields": list(EXPANSION_FIELDS), "type": "most_fields",
                            "boost": boost}}


def _best_bets(pinned: Sequence[str]) -> list[dict[str, Any]]:
    """One clause per pinned id, each worth more than the next one, so the listed order holds."""
    n = len(pinned)
    return [{"constant_score": {"filter": {"ids": {"values": [sid]}},
                                "boost": BEST_BET_BOOST * (n - i)}}
            for i, sid in enumerate(pinned)]


def _expansions(forms: QueryForms) -> list[dict[str, Any]]:
    """Synonyms, life-event phrases, other Finglish readings and typo tolerance, as clauses."""
    clauses: list[dict[str, Any]] = []
    if forms.synonyms:
        clauses.append(_expansion(" ".join(forms.synonyms), SYNONYM_BOOST))
    by_weight: dict[int, list[str]] = {}
    for words, specificity in forms.related:
        by_weight.setdefault(min(specificity, 3), []).append(words)
    for specificity, phrases in sorted(by_weight.items()):
        clauses.append(_expansion(" ".join(phrases), VOCABULARY_BOOST * specificity))
    if forms.alternatives:
        clauses.append(_expansion(" ".join(forms.alternatives), FINGLISH_ALT_BOOST))
    clauses += _typo_tolerant(forms)
    return clauses


def _pinned(q: str, best_bets: Mapping[str, Sequence[str]] | None) -> Sequence[str]:
    return (best_bets or {}).get(normalize_query(q)) or ()


def _most_words(text: str, fields: Sequence[str], msm: str = RECALL_MIN_MATCH) -> dict[str, Any]:
    return {"multi_match": {"query": text, "fields": list(fields), "type": "cross_fields",
                            "minimum_should_match": msm}}


def _found(clause: dict[str, Any], score: float) -> dict[str, Any]:
    """A first-pass clause that finds services without ranking them: matched in filter context, so
    Lucene scores none of its words, and worth `score` to a service it finds (see `match_query`)."""
    return {"constant_score": {"filter": clause, "boost": score}}


def _recall_expansions(forms: QueryForms) -> list[dict[str, Any]]:
    """Each synonym, life-event phrase and Finglish reading on its own, most of its words required
    (as one any-word clause, «سازمان ثبت احوال» would let in every service that names a «سازمان»);
    a synonym, another name for the same thing, with all of its words («کارت شناسایی ملی»).
    Each is worth its weight × EXPANSION_SCORE to a service it finds (`_found`)."""
    def found(text: str, weight: float, msm: str = RECALL_MIN_MATCH) -> dict[str, Any]:
        return _found(_most_words(text, RECALL_EXPANSION, msm=msm), weight * EXPANSION_SCORE)

    clauses = [found(phrase, SYNONYM_BOOST, msm="100%") for phrase in forms.synonyms]
    clauses += [found(words, VOCABULARY_BOOST * min(specificity, 3)) for words, specificity in forms.related]
    clauses += [found(reading, FINGLISH_ALT_BOOST) for reading in forms.alternatives]
    return clauses + _typo_tolerant(forms)


def _typo_tolerant(forms: QueryForms) -> list[dict[str, Any]]:
    """The words the lexicon cannot explain, on the names: likely typos within an edit (two from 12
    letters on), the catalog's own jargon as typed. Two edits cost ~8x one to build (~15 ms against
    ~2 ms over these five fields, per pass, for a 10-letter word, however large the catalog), and the
    dev and holdout typos are all one edit away (their metrics are the same with two edits from 8
    letters on, or never)."""
    clauses = []
    if forms.fuzzy:
        clauses.append({"multi_match": {"query": " ".join(forms.fuzzy), "fields": list(FUZZY_FIELDS),
                                        "fuzziness": "AUTO:3,12", "prefix_length": 1,
                                        "max_expansions": 20, "boost": FUZZY_BOOST}})
    if forms.jargon:
        clauses.append({"multi_match": {"query": " ".join(forms.jargon), "fields": list(FUZZY_FIELDS),
                                        "boost": FUZZY_BOOST}})
    return clauses


def match_query(q: str, best_bets: Mapping[str, Sequence[str]] | None = None,
                catalog: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The first pass: which services match (see the module docstring), with a cheap score that
    brings the best of them into the window `text_query` then rescores. The clauses' scores add up:
    with the best clause alone (`dis_max`) Lucene skips far more (page 40% faster at a million
    services) but the window misses the right service more often (s@1 0.928 -> 0.905 there;
    scripts/scale_relevance.py).

    Only the citizen's words in `recall` and `names_stem` are scored word by word. The other ways
    in (compounds, steps and documents, synonyms, life-event phrases, Finglish readings) find
    services that `text_query` then ranks, so each counts as a fixed score (`_found`): the same
    services match (the same counts for every dev and holdout query, on the real catalog and on
    the million), and Lucene need not score each of their words in every service that has one.
    Long spoken queries, which bring the most phrases, were the slowest of the benchmark's mix. On
    the million, from every clause scored to fixed scores:
    - its 40 slowest page searches: 21 → 15 ms on average (all of them: 14 → 12);
    - Elasticsearch alone, one search at a time over the whole mix (msearch with the counts, 6
      alternated runs of 20 s): median p99 43.3 → 31.0 ms, p50 15.4 → 13.2 ms, 62 → 74 a second
      (with the query cache off on both sides, as for searches seen for the first time: p99
      45.8 → 36.0 ms);
    - the right service first more often: s@1 0.928 → 0.941 (with EXPANSION_SCORE 5, 0.919:
      phrases then weigh too little to bring their services into the window).
    The dev and holdout metrics of the real catalog are the same."""
    forms = QueryForms.of(q, catalog)
    words = " ".join(forms.recall)
    stemmed = " ".join(dict.fromkeys(stem(w) for w in forms.recall))
    either: list[dict[str, Any]] = [
        _most_words(words, RECALL_PLAIN),
        _most_words(stemmed, RECALL_STEMMED),
        _found(_most_words(forms.normalized, RECALL_JOINED), FOUND_SCORE),
        _found(_most_words(words, RECALL_BODY, msm="100%"), FOUND_SCORE),
        _found(_most_words(stemmed, RECALL_BODY_STEMMED, msm="100%"), FOUND_SCORE),
        *_recall_expansions(forms),
        *_best_bets(_pinned(q, best_bets)),
    ]
    return {"bool": {"should": either, "minimum_should_match": 1}}


def text_query(q: str, best_bets: Mapping[str, Sequence[str]] | None = None,
               catalog: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every signal: how the services `match_query` found are ranked."""
    forms = QueryForms.of(q, catalog)
    norm = forms.normalized
    should: list[dict[str, Any]] = [
        {"multi_match": {"query": " ".join((norm, *forms.resolved)), "fields": list(TEXT_FIELDS),
                         "type": "most_fields"}},
        {"multi_match": {"query": forms.stemmed or norm, "fields": list(STEM_FIELDS),
                         "type": "most_fields"}},
        {"multi_match": {"query": norm, "fields": list(NAME_FIELDS), "type": "cross_fields",
                         "minimum_should_match": "2<75%", "boost": 2}},
        {"multi_match": {"query": norm, "fields": ["title", "aliases"], "type": "phrase",
                         "slop": 2, "boost": 3}},
        {"match_phrase": {"names_stem": {"query": forms.stemmed or norm, "slop": 2, "boost": 2}}},
        {"term": {"title.exact": {"value": norm, "boost": 10}}},
        {"term": {"aliases.exact": {"value": norm, "boost": 6}}},
        *_expansions(forms),
        *_best_bets(_pinned(q, best_bets)),
    ]
    return {"bool": {"should": should, "minimum_should_match": 1}}


HIGHLIGHT_FIELDS = ("title", "aliases", "description", "steps")


def highlight_queries(q: str) -> dict[str, dict[str, Any]]:
    """What to mark in snippets, per field: the citizen's words and their synonyms, plainly
    (highlighting with the full scoring query, fuzzy clauses included, costs ~10x the search itself).
    One query per field rather than one over the four: a field's highlighter then runs only its own
    terms. The fragments are the same (a field only ever marks its own terms), but on the million-
    service benchmark catalog a page's highlighting fell from ~9 to ~4 ms at the median (page p99
    105 -> 91 ms) and the memory it takes from ~12 to ~5 MB a search (less garbage to collect)."""
    forms = QueryForms.of(q)
    text = " ".join((forms.normalized, *forms.synonyms))
    return {field: {"match": {field: {"query": text}}} for field in HIGHLIGHT_FIELDS}


def warm() -> None:
    """Load hazm, the lexicon, synonyms and the Finglish tables now, not on a citizen's first query."""
    text_query("تمدید گذرنامه")
    text_query("tamdid gozarname")
    warm_finglish()
