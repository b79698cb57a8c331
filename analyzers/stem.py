"""A light, dictionary-checked Persian stemmer for attached suffixes.

A word is left alone when hazm's lexicon knows it (so «ایران» never becomes «ایر»); otherwise the
longest suffix whose removal leaves a known word is removed, trying the written-out «ه» that
colloquial writing drops (گواهینامم → گواهینامه، بیمم → بیمه). Among several candidates the most
frequent word in hazm's corpus wins. Same function at index and query time.
"""
from __future__ import annotations

from functools import lru_cache

# Possessive, plural, object and colloquial endings, longest first.
SUFFIXES = tuple(sorted({
    "هایمان", "هایتان", "هایشان", "هایم", "هایت", "هایش", "های", "ها", "هام", "هات", "هاش",
    "یمان", "یتان", "یشان", "مان", "تان", "شان", "ام", "ات", "اش", "ای",
    "یم", "یت", "یش", "م", "ت", "ش", "ی",
    "مو", "تو", "شو", "رو", "و", "ان", "یان", "ات", "ترین", "تر", "ست",
}, key=len, reverse=True))
MIN_STEM = 2


@lru_cache(maxsize=1)
def lexicon() -> dict[str, int]:
    """hazm's word list with corpus frequencies (zero-frequency entries are inflected noise)."""
    from hazm.utils import words_list

    from analyzers.normalize import fold

    words: dict[str, int] = {}
    for word, freq, _tags in words_list():
        if freq > 0:
            key = fold(word).replace(" ", "")
            words[key] = max(freq, words.get(key, 0))
    return words


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    known = lexicon()
    if len(token) <= 2 or token in known or not token.isalpha():
        return token
    best, best_freq = token, 0
    for suffix in SUFFIXES:
        if not token.endswith(suffix):
            continue
        base = token[: -len(suffix)]
        for candidate in (base, base + "ه"):
            freq = known.get(candidate, 0)
            if len(candidate) >= MIN_STEM and freq > best_freq:
                best, best_freq = candidate, freq
    return best


def stem_text(text: str) -> str:
    """Stem every space-separated token of already normalized text."""
    return " ".join(stem(t) for t in text.split())
