"""Finglish (Persian typed in Latin letters) -> Persian candidates for the query.

«tamdid gozarname» → «تمدید گذرنامه». Each word goes through, in order:
1. the domain dictionary analyzers/finglish_fa.txt (common service words f2p gets wrong);
2. the `finglish` package's f2p (letter rules + a Persian word-frequency list; run by
   analyzers/f2p.py, which gives the same answers without spelling every combination of letters):
   its candidates with a confidence of at least MIN_CONFIDENCE, best first, at most MAX_CANDIDATES;
3. for a word f2p cannot place (confidence 0), a split into two known halves
   («sabtenam» → «sabte» + «nam» → ثبت نام).

`transliterate(text)` returns the best Persian reading and the other candidates; the query
searches the best reading as the citizen's words and the alternatives with a lower weight.
f2p loads a 400k-word list (~1.5 s, then ~0.5 s to sort it, once per process, on the first
Finglish query: call `warm()` at start to pay it up front); every word is cached.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from analyzers import f2p

DICTIONARY_FILE = Path(__file__).resolve().parent / "finglish_fa.txt"
MIN_CONFIDENCE = 0.02
MAX_CANDIDATES = 3
_WORD = re.compile(r"[a-z0-9']+")
_LATIN = re.compile(r"[A-Za-z]")
# Ezafe and the like written as a word of their own («sabt e nam»): no Persian letter of their own.
SKIP = frozenset({"e", "ye", "-e", "'e"})


def is_finglish(text: str) -> bool:
    """Latin letters and no Persian/Arabic ones (digits and punctuation allowed)."""
    return bool(_LATIN.search(text)) and not any("\u0600" <= ch <= "\u06ff" for ch in text)


@lru_cache(maxsize=1)
def dictionary() -> dict[str, str]:
    from analyzers.normalize import normalize

    words: dict[str, str] = {}
    for n, raw in enumerate(DICTIONARY_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        latin, sep, persian = line.partition("=")
        if not sep or not latin.strip() or not persian.strip():
            raise ValueError(f"{DICTIONARY_FILE}:{n}: expected 'latin = persian'")
        words[latin.strip().lower()] = normalize(persian)
    return words


def warm() -> None:
    """Load the dictionary and f2p now (about 2 s) instead of on the first Finglish query."""
    dictionary()
    f2p.warm()


def _persian(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@lru_cache(maxsize=50_000)
def _f2p(word: str) -> tuple[tuple[str, float], ...]:
    from analyzers.normalize import normalize

    out: dict[str, float] = {}
    for persian, confidence in f2p.f2p_word(word, cutoff=8):
        if _persian(persian):
            key = normalize(persian)
            out[key] = max(confidence, out.get(key, 0.0))
    return tuple(sorted(out.items(), key=lambda kv: -kv[1]))


@lru_cache(maxsize=50_000)
def word_candidates(word: str) -> tuple[str, ...]:
    """Persian readings of one Latin word, best first (digits pass through)."""
    word = word.lower()
    if not word or word.isdigit():
        return (word,) if word else ()
    known = dictionary()
    if word in known:
        return (known[word],)
    found = _f2p(word)
    keep = [p for p, c in found if c >= MIN_CONFIDENCE][:MAX_CANDIDATES]
    if keep:
        return tuple(keep)
    if len(word) >= 6:  # a compound written as one word: two halves that both read well
        best: tuple[float, str] | None = None
        for i in range(2, len(word) - 1):
            left, right = word[:i], word[i:]
            lc = known.get(left) or next((p for p, c in _f2p(left) if c >= 0.5), None)
            rc = known.get(right) or next((p for p, c in _f2p(right) if c >= 0.5), None)
            if lc and rc:
                score = min(len(left), len(right))
                if best is None or score > best[0]:
                    best = (score, f"{lc} {rc}")
        if best:
            return (best[1],)
    return tuple(p for p, _c in found[:1])


@lru_cache(maxsize=20_000)
def transliterate(text: str) -> tuple[str, tuple[str, ...]]:
    """(best Persian reading of the whole text, other candidate words)."""
    best: list[str] = []
    others: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if word in SKIP:
            continue
        candidates = word_candidates(word)
        if not candidates:
            continue
        best.append(candidates[0])
        for alt in candidates[1:]:
            # A final «e» is an ezafe or a written «ه» (sabeghe: سابق / سابقه): keep both readings.
            if alt in (candidates[0] + "ه", candidates[0].removesuffix("ه")):
                best.append(alt)
            else:
                others[alt] = None
    return " ".join(best), tuple(others)
