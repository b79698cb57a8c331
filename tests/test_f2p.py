"""analyzers/f2p.py answers exactly as the `finglish` package's f2p_word does (only faster)."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from analyzers.f2p import _package, f2p_word
from analyzers.finglish import DICTIONARY_FILE, word_candidates

RELEVANCE = Path(__file__).resolve().parent / "relevance"
_LATIN_WORD = re.compile(r"[a-z0-9']+")


def finglish_words() -> list[str]:
    """Every Latin word of the dev and holdout queries and of the domain dictionary."""
    words: set[str] = set()
    for name in ("dev-queries.jsonl", "holdout-queries.jsonl"):
        for line in (RELEVANCE / name).read_text(encoding="utf-8").splitlines():
            words.update(_LATIN_WORD.findall(json.loads(line)["q"].lower()))
    for line in DICTIONARY_FILE.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            words.update(_LATIN_WORD.findall(line.partition("=")[0].lower()))
    return sorted(words)


def random_words(n: int, seed: int = 7) -> list[str]:
    """Short random Latin strings, vowels frequent, with the letters f2p has no rule for."""
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz'0" + "aeiou" * 3
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(n)]


EDGE = ["", "a", "aa", "kha", "sh", "'ali", "1404", "abc123", "x", "q", "w", "ghabz", "khoone",
        "bazneshastegi",       # ~0.7 s in the package: the combinations it spells explode
        "a" * 16]              # longer than the package's max word size


@pytest.mark.parametrize("cutoff", [8, 3, 1])
def test_same_readings_in_the_same_order_as_the_package(cutoff):
    package, _ = _package()
    words = finglish_words() + random_words(400) + EDGE
    assert len(words) > 500
    answers = [(w, package.f2p_word(w, cutoff=cutoff), f2p_word(w, cutoff=cutoff)) for w in words]
    assert [a for a in answers if a[1] != a[2]] == []
    assert sum(1 for _, theirs, _ in answers if theirs and theirs[0][1] > 0) > 100   # readings, not just fillers


def test_long_words_are_read():
    assert f2p_word("bazneshastegi", cutoff=1)[0][0] == "بازنشستگی"
    assert word_candidates("bazneshastegi") == ("بازنشستگی",)
    assert word_candidates("enteghalsanad") == ("انتقال سند",)   # two halves, each read by f2p
