"""Text -> normalized Persian for search: one function used at index time and at query time.

What it does, in order:
1. hazm (behind `_hazm()`) for what it is right about: Unicode presentation forms, repeated letters
   ("سلاااام"), diacritics, and separating the verbal prefix «می» glued to a verb (میخواهم → می‌خواهم).
   Its spacing and punctuation options are off: they break URLs, decimals and e-mail addresses.
2. A translation table for speed: Arabic letters to Persian (ي ى → ی, ك → ک, ة → ه, hamza forms),
   digits of three scripts to ASCII, tatweel and stray marks removed, Latin lowercased, and the
   zero-width non-joiner turned into a space. Elasticsearch's `standard` tokenizer keeps a ZWNJ
   inside a token, so the split form is the one every spelling can reach: «گواهی‌نامه» and
   «گواهی نامه» both become «گواهی نامه», and the joined «گواهینامه» meets them through the
   `shingle` sub-field (see analyzers/analysis.json).
3. Whitespace folded to single spaces.

Every step works inside a word, so text is normalized word by word through a bounded cache: a
catalog's vocabulary is small next to its text (descriptions and steps repeat their words), and a
cache hit costs well under a microsecond against ~100 µs for a hazm call on a sentence. Word by word
is also more consistent than hazm on a whole text, where a fix found in one word (seperate_mi,
decrease_repeated_chars) is applied with `str.replace` to the entire text, neighbouring words included.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ZWNJ = "\u200c"

_LETTERS = {
    "ي": "ی", "ى": "ی", "ئ": "ی", "ې": "ی", "ۍ": "ی", "ێ": "ی",
    "ك": "ک", "ڪ": "ک",
    "ة": "ه", "ۀ": "ه", "ہ": "ه", "ە": "ه",
    "ؤ": "و", "ۄ": "و",
    "أ": "ا", "إ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ء": "",
}
_DIGITS = {**{chr(0x06F0 + i): str(i) for i in range(10)}, **{chr(0x0660 + i): str(i) for i in range(10)}}
_SPACES = {ZWNJ: " ", "\u200d": "", "\u200e": "", "\u200f": "", "\u00a0": " ", "\u202f": " ", "\ufeff": ""}
_MARKS = {chr(c): "" for c in range(0x064B, 0x0660)}  # harakat, tanwin, shadda, sukun, superscript alef...
_MARKS.update({"\u0670": "", "\u0640": ""})  # superscript alef, tatweel
_PUNCT = {"٫": ".", "٬": ",", "،": "،", "؛": "؛", "؟": "؟"}

TABLE = str.maketrans({**_LETTERS, **_DIGITS, **_SPACES, **_MARKS, **_PUNCT})
_WS = re.compile(r"\s+")
# A hamza seat before «و» is written both ways (مسئول / مسؤول) and often left out (مسول): drop it.
_HAMZA_WAW = re.compile("[ئؤ]و")


@lru_cache(maxsize=1)
def _hazm():
    """hazm's Normalizer with the options that suit search (loaded once, on first use)."""
    import hazm.normalizer as hazm_normalizer
    from hazm import Normalizer

    # hazm 0.10 rebuilds its translation tables on every normalize() call; they depend only on
    # constant arguments, so caching them gives the same output ~3x faster.
    if not hasattr(hazm_normalizer.maketrans, "cache_info"):
        hazm_normalizer.maketrans = lru_cache(maxsize=32)(hazm_normalizer.maketrans)

    return Normalizer(
        correct_spacing=False,
        remove_diacritics=True,
        remove_specials_chars=False,
        decrease_repeated_chars=True,
        persian_style=False,
        persian_numbers=False,
        unicodes_replacement=True,
        seperate_mi=True,
    )


def fold(text: str) -> str:
    """The fast part alone: letters, digits, marks, ZWNJ, case and spacing (no hazm)."""
    text = unicodedata.normalize("NFKC", text) if not text.isascii() else text
    text = _HAMZA_WAW.sub("و", text)
    return _WS.sub(" ", text.translate(TABLE).lower()).strip()


WORD_CACHE = 262_144


@lru_cache(maxsize=WORD_CACHE)
def normalize_word(word: str) -> str:
    """One whitespace-free token, normalized (it may become several words, or none)."""
    if word.isascii():
        return word.lower()
    return fold(_hazm().normalize(word))


def normalize(text: str | None) -> str:
    """Normalize prose (a title, a description, a query) for indexing and searching."""
    if not text:
        return ""
    if text.isascii():
        return _WS.sub(" ", text.lower()).strip()
    return _WS.sub(" ", " ".join(map(normalize_word, text.split()))).strip()


@lru_cache(maxsize=50_000)
def normalize_query(text: str) -> str:
    """`normalize`, cached: citizens repeat the same queries, and hazm is slow (~100 µs)."""
    return normalize(text)
