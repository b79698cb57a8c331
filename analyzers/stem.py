"""A light, dictionary-checked Persian stemmer for attached suffixes.

A word is left alone when hazm's lexicon knows it (so «ایران» never becomes «ایر»); otherwise the
*shortest* suffix whose removal leaves a known word is removed (کشاورزیم → کشاورزی, not کشاورز),
also trying the written-out «ه» that colloquial writing drops (گواهینامم → گواهینامه، گربمو → گربه).
Among candidates for the same suffix length the most frequent word in hazm's corpus wins. A word
that two endings deep reaches a known word is stemmed twice (گوشیمو → گوشی → گوش). Colloquial
endings are included: «-و/-رو» object marker, «-ه» for «است» (اشتباهه → اشتباه), «-ا» plural
(مستاجرا → مستاجر). Same function at index and query time.
"""
from __future__ import annotations

from functools import lru_cache

# Possessive, plural, object, comparative and colloquial endings.
SUFFIXES = tuple(sorted({
    "هایمان", "هایتان", "هایشان", "هایم", "هایت", "هایش", "های", "ها", "هام", "هات", "هاش",
    "یمان", "یتان", "یشان", "مان", "تان", "شان", "ام", "ات", "اش", "ای",
    "یم", "یت", "یش", "م", "ت", "ش", "ی",
    "مو", "تو", "شو", "رو", "و", "ان", "یان", "ترین", "تر", "ست",
    "مون", "تون", "شون", "ه", "ا", "ها رو",
}, key=len))
# After these endings a dropped «ه» may be restored (خونمو → خونه، بیمم → بیمه).
RESTORE_HEH = frozenset({"م", "ت", "ش", "مو", "تو", "شو", "مون", "تون", "شون", "ام", "ات", "اش", "و"})
MIN_STEM = 2
# Short function words that look inflected but must stay as written («نمی» is negation, not «نم»+ی).
NO_STEM = frozenset({"نمی", "می", "بی", "هی"})


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


def _strip_once(token: str, known: dict[str, int]) -> str | None:
    """The known word left by the shortest suffix removal (most frequent on ties), or None."""
    for length in sorted({len(s) for s in SUFFIXES}):
        best, best_freq = None, 0
        for suffix in SUFFIXES:
            if len(suffix) != length or not token.endswith(suffix):
                continue
            base = token[: -len(suffix)]
            candidates = (base, base + "ه") if suffix in RESTORE_HEH else (base,)
            for candidate in candidates:
                freq = known.get(candidate, 0)
                if len(candidate) >= MIN_STEM and freq > best_freq:
                    best, best_freq = candidate, freq
        if best is not None:
            return best
    return None


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    known = lexicon()
    if len(token) <= 2 or token in known or token in NO_STEM or not token.isalpha():
        return token
    once = _strip_once(token, known)
    if once is not None:
        return once
    # Two endings deep (گوشیمو = گوشی + مو, and «گوشی» itself is only known as «گوش»).
    for suffix in SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) > MIN_STEM:
            twice = _strip_once(token[: -len(suffix)], known)
            if twice is not None and len(twice) > MIN_STEM:
                return twice
    return token


def stem_text(text: str) -> str:
    """Stem every space-separated token of already normalized text."""
    return " ".join(stem(t) for t in text.split())
