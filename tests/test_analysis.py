"""`_analyze` golden tests, against the real Elasticsearch, for every analyzer in
analyzers/analysis.json (text arrives already normalized by analyzers/normalize.py, as in the
indexer and the query)."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

from analyzers.normalize import normalize
from indexer.schema import ANALYZERS, index_body

ZWNJ = "\u200c"


@pytest.fixture(scope="module")
def analysis_index(es: Elasticsearch) -> Iterator[str]:
    name = f"test-analysis-{uuid.uuid4().hex[:8]}"
    body = index_body()
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    yield name
    es.indices.delete(index=name)          # by exact name: this cluster refuses wildcard deletes


def tokens(es: Elasticsearch, index: str, analyzer: str, text: str) -> list[str]:
    response = es.indices.analyze(index=index, analyzer=analyzer, text=normalize(text))
    return [t["token"] for t in response["tokens"]]


def test_every_analyzer_is_covered():
    defined = set(json.loads((ANALYZERS / "analysis.json").read_text(encoding="utf-8"))["analyzer"])
    assert defined == {"fa_text", "fa_joined", "fa_spell", "fa_suggest"}, "add a test for the new analyzer"


@pytest.mark.parametrize("text, expected", [
    ("ثبت ولادت و صدور شناسنامه نوزاد", ["ثبت", "ولادت", "صدور", "شناسنامه", "نوزاد"]),
    # Domain stop list: function words go, words that carry meaning stay.
    ("خدمات جدید برای ثبت نام در راه", ["خدمات", "جدید", "ثبت", "نام", "راه"]),
    ("حق انشعاب", ["حق", "انشعاب"]),
    ("نمی توانم", ["نمی", "توانم"]),
    ("شناسنامه‌مو گم کردم چیکار کنم", ["شناسنامه", "گم"]),
    ("گواهينامه پايه ۱", ["گواهینامه", "پایه", "1"]),
    (f"گواهی{ZWNJ}نامه", ["گواهی", "نامه"]),
    ("ADSL مخابرات", ["adsl", "مخابرات"]),
])
def test_fa_text(es, analysis_index, text, expected):
    assert tokens(es, analysis_index, "fa_text", text) == expected


def test_fa_joined_makes_split_and_joined_compounds_meet(es, analysis_index):
    split = tokens(es, analysis_index, "fa_joined", f"صدور گواهی{ZWNJ}نامه")
    assert split == ["صدور", "صدورگواهی", "صدورگواهینامه", "گواهی", "گواهینامه", "نامه"]
    assert "گواهینامه" in tokens(es, analysis_index, "fa_joined", "گواهی نامه")
    assert "ثبتنام" in tokens(es, analysis_index, "fa_joined", f"ثبت{ZWNJ}نام مسکن")
    assert tokens(es, analysis_index, "fa_joined", "ثبتنام") == ["ثبتنام"]


def test_fa_spell_keeps_words_and_word_pairs(es, analysis_index):
    assert tokens(es, analysis_index, "fa_spell", "پرداخت قبض گاز") == [
        "پرداخت", "پرداخت قبض", "پرداخت قبض گاز", "قبض", "قبض گاز", "گاز"]


def test_fa_suggest_keeps_every_word(es, analysis_index):
    # No stop words in completion input: «کارت ملی برای ...» must complete word by word.
    assert tokens(es, analysis_index, "fa_suggest", "گواهی‌نامه برای اتوبوس") == [
        "گواهی", "نامه", "برای", "اتوبوس"]


def test_mapping_uses_the_analyzers(es, analysis_index):
    mapping = es.indices.get_mapping(index=analysis_index)[analysis_index]["mappings"]["properties"]
    assert mapping["title"]["analyzer"] == "fa_text"
    assert mapping["title"]["fields"]["joined"]["analyzer"] == "fa_joined"
    assert mapping["title"]["fields"]["exact"]["type"] == "keyword"
    assert mapping["spell"]["analyzer"] == "fa_spell"
    assert mapping["suggest"]["type"] == "completion"
