"""One Finglish word -> Persian readings: the `finglish` package's `f2p_word`, without its blow-up.

`finglish.f2p_word` spells every variation of a word (kh, sh, oo...) with every Persian letter each
Latin letter may stand for, keeps the spellings found in its word-frequency list, and scores each
by its frequency relative to the best spelling of that variation. It spells them *all* first: the
product of every letter's choices, which grows exponentially with the word («bazneshastegi» ~0.7 s,
«enteghalsanad» ~0.5 s, blocking the app's event loop meanwhile).

`f2p_word` here returns exactly what the package's returns (tests/test_f2p.py compares them), but
extends a spelling letter by letter only while it is the beginning of some word of the list (a
binary search in the sorted list), so it visits the few spellings that can become words, not the
millions that cannot. Spellings outside the list score 0; they are only spelled (in the package's
order) when fewer than `cutoff` spellings score above 0, to fill the answer as the package does.
"""
from __future__ import annotations

import bisect
import contextlib
import importlib
import io
import itertools
from collections.abc import Iterator
from functools import lru_cache
from types import ModuleType

MAX_WORD_SIZE = 15   # the package's default: longer words are returned unchanged


@lru_cache(maxsize=1)
def _package() -> tuple[ModuleType, list[str]]:
    """The package's tables (its import loads a 400k-word list, ~1.5 s) and its words, sorted."""
    with contextlib.redirect_stdout(io.StringIO()):  # it prints "Loading ..." on import
        package = importlib.import_module("finglish.f2p")   # the module (the package exports a function of that name)
    return package, sorted(package.word_freq)


def _letters(package: ModuleType, variation: list[str]) -> list[list[str]] | None:
    """Each letter's Persian choices, as the package orders them (None: a letter it cannot spell)."""
    last = len(variation) - 1
    choices = []
    for i, letter in enumerate(variation):
        table = package.beginning if i == 0 else package.ending if i == last else package.middle
        options = table.get(letter)
        if options is None:
            return None
        choices.append(["" if option == "nothing" else option for option in options])
    return choices


def _known(choices: list[list[str]], words: list[str], freq: dict[str, int]) -> list[tuple[str, int]]:
    """The spellings that are words, with their frequency, in the order of itertools.product."""
    found: list[tuple[str, int]] = []

    def starts_a_word(prefix: str) -> bool:
        i = bisect.bisect_left(words, prefix)
        return i < len(words) and words[i].startswith(prefix)

    def extend(i: int, prefix: str) -> None:
        if i == len(choices):
            if prefix in freq:
                found.append((prefix, freq[prefix]))
            return
        for option in choices[i]:
            if not option or starts_a_word(prefix + option):
                extend(i + 1, prefix + option)

    extend(0, "")
    return found


def _unknown(choices: list[list[str]], freq: dict[str, int]) -> Iterator[str]:
    """The spellings that are not words, in the order of itertools.product (lazily)."""
    return (s for s in map("".join, itertools.product(*choices)) if s not in freq)


def f2p_word(word: str, cutoff: int = 3) -> list[tuple[str, float]]:
    """`finglish.f2p_word(word, cutoff=cutoff)`, in the same order, at a fraction of the cost."""
    package, words = _package()
    word = word.lower()
    if word in package.dictionary:
        return [(package.dictionary[word], 1.0)]
    if not word:
        return []
    if len(word) > MAX_WORD_SIZE:
        return [(word, 1.0)]
    scored: list[tuple[str, float]] = []
    fillers: list[Iterator[str]] = []   # per variation, its zero-scored spellings, in order
    for variation in package.variations(word):
        choices = _letters(package, variation)
        if choices is None:
            fillers.append(iter([word]))
            continue
        known = _known(choices, words, package.word_freq)
        best = max((f for _, f in known), default=0)
        scored += [(spelling, float(f / best)) for spelling, f in known]
        fillers.append(_unknown(choices, package.word_freq))
    scored.sort(key=lambda r: r[1], reverse=True)
    missing = cutoff - len(scored)
    if missing > 0:
        scored += [(s, 0.0) for s in itertools.islice(itertools.chain(*fillers), missing)]
    return scored[:cutoff]


def warm() -> None:
    """Load the package's tables and sort its words now (~2 s), not on the first Finglish query."""
    _package()
