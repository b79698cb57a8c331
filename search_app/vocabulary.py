"""Which of a query's words, unknown to hazm's lexicon, the catalog itself uses.

hazm's lexicon is general Persian: it lacks much of the catalog's own vocabulary («الکترونیکی»،
«بازنشستگان»، «پارکینگ»، «رگولاتوری»). Read as typos, such words got typo tolerance (a two-edit fuzzy
query over five fields, built twice per search: ~15 ms each on a 100k catalog, whatever its size),
the did-you-mean suggester, and no say in which services match. The index knows better: a word
found in a service's text is the catalog's word, not a typo.

Elasticsearch is asked once per word (one `msearch` for a query's unknown words, each search stopping
at the first service that has it), and the answer is remembered in a bounded LRU. After a reindex a
remembered answer may be stale for a word the catalog gained or lost; that only shifts the word
between exact and typo-tolerant matching.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch

from search_app.relevance import QueryForms

# Where a catalog word may be: the `spell` field holds title, aliases and description.
FIELDS = ("spell", "organization_name", "taxonomy_labels", "steps", "documents")


def unknown_words(q: str) -> tuple[str, ...]:
    """The words of a query to ask about: those the lexicon cannot explain, each once."""
    return tuple(dict.fromkeys(QueryForms.of(q).unknown)) if q else ()


def lookup(word: str) -> dict[str, Any]:
    """One msearch body: does any service have `word`? (Stops at the first that does.)"""
    return {"size": 0, "terminate_after": 1, "track_total_hits": 1,
            "query": {"multi_match": {"query": word, "fields": list(FIELDS)}}}


def searches(words: Sequence[str]) -> list[dict[str, Any]]:
    """The msearch request for `words`: a header and a body per word."""
    return [part for word in words for part in ({}, lookup(word))]


def found(words: Sequence[str], responses: Iterable[dict[str, Any]]) -> dict[str, bool]:
    """Word -> whether the catalog has it, for every word whose search succeeded."""
    answers = {}
    for word, response in zip(words, responses):
        if "error" not in response:
            answers[word] = response["hits"]["total"]["value"] > 0
    return answers


def catalog_words(es: Elasticsearch, index: str, q: str) -> frozenset[str]:
    """The query's words the catalog has though the lexicon lacks them, asked now and not remembered:
    the app's lookup (`CatalogWords`) for scripts with a synchronous client (benchmark, scale checks)."""
    unknown = unknown_words(q)
    if not unknown:
        return frozenset()
    answers = found(unknown, es.msearch(index=index, searches=searches(unknown))["responses"])
    return frozenset(w for w, yes in answers.items() if yes)


class CatalogWords:
    """The catalog's vocabulary, asked of the index word by word and remembered (at most `size` words)."""

    def __init__(self, es: AsyncElasticsearch, index: str, size: int = 100_000) -> None:
        self.es, self.index, self.size = es, index, size
        self._known: OrderedDict[str, bool] = OrderedDict()

    async def known(self, words: Sequence[str]) -> frozenset[str]:
        """Those of `words` that some service's text contains."""
        missing = [w for w in dict.fromkeys(words) if w not in self._known]
        if missing:
            response = await self.es.msearch(index=self.index, searches=searches(missing))
            for word, answer in found(missing, response["responses"]).items():
                self._known[word] = answer
            while len(self._known) > self.size:
                self._known.popitem(last=False)
        for word in words:
            if word in self._known:
                self._known.move_to_end(word)
        return frozenset(w for w in words if self._known.get(w))
