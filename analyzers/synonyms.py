"""Query-time synonyms and the life-event vocabulary, both editable word lists in analyzers/.

* ``synonyms_fa.txt``   official <-> colloquial names and abbreviations (گذرنامه, پاسپورت).
* ``vocabulary_fa.txt`` a citizen's need -> the words of the services that meet it
  (بچه دار نمیشیم → فرزندخواندگی سرپرستی).

Both are applied at QUERY time only: `expand(normalized_query)` returns the extra phrasings that
search_app/relevance.py adds to the query with a lower weight than the citizen's own words.
**Editing either file needs no reindex** — the index holds no synonyms — only an app restart
(the files are read once per process, on first use, and cached). Every entry is normalized with
analyzers.normalize on load, so any spelling in the file (ZWNJ, Arabic letters) works.

Matching: a multi-word form matches consecutive query words; a single word also matches by stem
(«پاسپورتم» meets «پاسپورت»). A vocabulary trigger matches when all its words occur in the query,
in any order.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analyzers.normalize import normalize
from analyzers.stem import stem

HERE = Path(__file__).resolve().parent
SYNONYMS_FILE = HERE / "synonyms_fa.txt"
VOCABULARY_FILE = HERE / "vocabulary_fa.txt"


@dataclass(frozen=True)
class Rule:
    """When any of `when` matches, add `add` (each a tuple of normalized words)."""

    when: tuple[tuple[str, ...], ...]
    add: tuple[tuple[str, ...], ...]


def _lines(path: Path) -> list[tuple[int, str]]:
    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line:
            out.append((n, line))
    return out


def _words(text: str) -> tuple[str, ...]:
    return tuple(normalize(text).split())


def parse_synonyms(path: Path = SYNONYMS_FILE) -> tuple[Rule, ...]:
    rules = []
    for n, line in _lines(path):
        if "=>" in line:
            left, right = line.split("=>", 1)
            when = tuple(w for w in (_words(x) for x in left.split(",")) if w)
            add = tuple(w for w in (_words(x) for x in right.split(",")) if w)
            if not when or not add:
                raise ValueError(f"{path}:{n}: expected 'a, b => c, d'")
            rules.append(Rule(when, add))
        else:
            forms = tuple(dict.fromkeys(w for w in (_words(x) for x in line.split(",")) if w))
            if len(forms) < 2:
                raise ValueError(f"{path}:{n}: an equivalence needs two forms or more")
            rules.append(Rule(forms, forms))
    return tuple(rules)


def parse_vocabulary(path: Path = VOCABULARY_FILE) -> tuple[Rule, ...]:
    rules = []
    for n, line in _lines(path):
        if "=>" not in line:
            raise ValueError(f"{path}:{n}: expected 'trigger | trigger => service words'")
        left, right = line.split("=>", 1)
        when = tuple(w for w in (_words(x) for x in left.split("|")) if w)
        add = _words(right)
        if not when or not add:
            raise ValueError(f"{path}:{n}: empty trigger or service words")
        rules.append(Rule(when, (add,)))
    return tuple(rules)


@lru_cache(maxsize=1)
def synonym_rules() -> tuple[Rule, ...]:
    return parse_synonyms()


@lru_cache(maxsize=1)
def vocabulary_rules() -> tuple[Rule, ...]:
    return parse_vocabulary()


def _contains(words: tuple[str, ...], stems: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    if len(phrase) == 1:
        return phrase[0] in words or stem(phrase[0]) in stems
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


def _all_in(words: tuple[str, ...], stems: tuple[str, ...], bag: tuple[str, ...]) -> bool:
    have = set(words) | set(stems)
    return all(w in have or stem(w) in have for w in bag)


def synonyms(words: tuple[str, ...]) -> list[str]:
    """Other names for what the query says (each a space-joined phrase not already in it)."""
    stems = tuple(stem(w) for w in words)
    text = " ".join(words)
    out: dict[str, None] = {}
    for rule in synonym_rules():
        matched = [form for form in rule.when if _contains(words, stems, form)]
        if not matched:
            continue
        for form in rule.add:
            phrase = " ".join(form)
            if form not in matched and f" {phrase} " not in f" {text} ":
                out[phrase] = None
    return list(out)


def related(words: tuple[str, ...]) -> list[tuple[str, int]]:
    """Service words for the needs the query describes (life-event vocabulary), each with the
    size of the longest trigger that matched (its specificity)."""
    stems = tuple(stem(w) for w in words)
    out: dict[str, int] = {}
    for rule in vocabulary_rules():
        sizes = [len(trigger) for trigger in rule.when if _all_in(words, stems, trigger)]
        if sizes:
            for form in rule.add:
                phrase = " ".join(form)
                out[phrase] = max(max(sizes), out.get(phrase, 0))
    return list(out.items())


@lru_cache(maxsize=20_000)
def expand(normalized: str) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    """(synonym phrasings, (related service words, specificity)) for an already normalized query."""
    words = tuple(normalized.split())
    return tuple(synonyms(words)), tuple(related(words))
