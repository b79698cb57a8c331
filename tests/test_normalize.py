"""Golden tests for the Python side of Persian relevance: normalizer, stemmer, stop list,
Finglish, synonyms and the life-event vocabulary, and the pure query building (no Elasticsearch)."""
from __future__ import annotations

import pytest

from analyzers.finglish import is_finglish, transliterate, word_candidates
from analyzers.normalize import normalize, normalize_query
from analyzers.stem import stem, stem_text
from analyzers.synonyms import expand, parse_synonyms, parse_vocabulary
from indexer.schema import ANALYZERS, load_word_list
from search_app.relevance import BEST_BET_BOOST, QueryForms, text_query

ZWNJ = "\u200c"


# --- letters, digits, marks ------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("كارت ملي", "کارت ملی"),                 # Arabic kaf and yeh
    ("مصطفى", "مصطفی"),                       # alef maksura
    ("اجازة خروج", "اجازه خروج"),             # teh marbuta
    ("إجازه أمور", "اجازه امور"),             # hamza on alef
    ("مؤسسه", "موسسه"), ("مسئول", "مسول"), ("مسؤول", "مسول"),
    ("تأمین اجتماعی", "تامین اجتماعی"), ("تامین اجتماعی", "تامین اجتماعی"),
    ("آب", "آب"),                             # alef madda stays (آب is not اب)
])
def test_arabic_letters_and_hamza_forms(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("پایه ۱", "پایه 1"), ("پایه ١", "پایه 1"), ("پایه 1", "پایه 1"),
    ("۱۴۰۴", "1404"), ("٢٠ سال", "20 سال"), ("10001517", "10001517"),
])
def test_digits_of_three_scripts_become_ascii(raw, expected):
    assert normalize(raw) == expected


def test_diacritics_and_tatweel_are_removed():
    assert normalize("کِتابِ") == "کتاب"
    assert normalize("ثبـــت") == "ثبت"
    assert normalize("حَقّ") == "حق"


def test_zwnj_split_and_spaced_forms_meet():
    assert normalize(f"گواهی{ZWNJ}نامه") == normalize("گواهی نامه") == "گواهی نامه"
    assert normalize(f"ثبت{ZWNJ}نام") == normalize("ثبت نام") == "ثبت نام"
    # The joined spelling stays one word: the `.joined` shingle sub-fields make it meet the others
    # (see tests/test_analysis.py).
    assert normalize("گواهینامه") == "گواهینامه"


def test_spacing_case_and_empty():
    assert normalize("  تمدید \t  گذرنامه \n") == "تمدید گذرنامه"
    assert normalize("ADSL Mokhaberat") == "adsl mokhaberat"
    assert normalize("") == "" and normalize(None) == ""


def test_the_query_side_is_the_same_function_cached():
    for text in ("گواهينامه‌ام", "پایه ۱", "tamdid gozarname"):
        assert normalize_query(text) == normalize(text)
    assert normalize_query.cache_info().maxsize


# --- stemming ------------------------------------------------------------------------------

@pytest.mark.parametrize("word, expected", [
    ("ایران", "ایران"),             # known words are never cut (not «ایر»)
    ("گواهینامه", "گواهینامه"),
    ("پاسپورتم", "پاسپورت"), ("ماشینمو", "ماشین"), ("مدرکمو", "مدرک"),
    ("گواهینامم", "گواهینامه"), ("بیمم", "بیمه"), ("گربمو", "گربه"),   # dropped «ه» restored
    ("کشاورزیم", "کشاورزی"),        # the shortest ending that leaves a known word
    ("گوشیمو", "گوش"),              # two endings deep
    ("اشتباهه", "اشتباه"), ("مستاجرا", "مستاجر"),  # colloquial «-ه» (is) and «-ا» (plural)
    ("نمی", "نمی"),                 # negation is not a word with an ending
    ("ثبت", "ثبت"), ("کد", "کد"),
])
def test_light_stemming(word, expected):
    assert stem(word) == expected


def test_stem_text_works_on_normalized_text():
    assert stem_text(normalize("پاسپورتم گم شد")) == "پاسپورت گم شد"


# --- stop list -----------------------------------------------------------------------------

def test_domain_stop_list_keeps_words_that_carry_meaning():
    stops = set(load_word_list(ANALYZERS / "stopwords_fa.txt"))
    for word in ("خدمات", "نام", "جدید", "راه", "حق", "نمی", "کار", "اول", "دوم", "بعد"):
        assert word not in stops, word
    for word in ("و", "در", "به", "از", "را", "برای", "چطوری", "میخوام", "ام", "مو"):
        assert word in stops, word
    assert all(normalize(w) == w for w in stops), "stop words must be written normalized"


# --- Finglish ------------------------------------------------------------------------------

def test_finglish_detection():
    assert is_finglish("tamdid gozarname")
    assert is_finglish("sabtenam konkur 1404")
    assert not is_finglish("آزمون MSRT")
    assert not is_finglish("۱۲۳") and not is_finglish("")


@pytest.mark.parametrize("latin, persian", [
    ("tamdid gozarname", "تمدید گذرنامه"),
    ("gavahiname", "گواهینامه"),
    ("sabtenam", "ثبت نام"),              # domain dictionary (f2p has no reading)
    ("sabt e nam", "ثبت نام"),            # a detached ezafe is skipped
    ("estelam code posti", "استعلام کد پستی"),
    ("moafiat pezeshki", "معافیت پزشکی"),
    ("konkur 1404", "کنکور 1404"),        # digits pass through
])
def test_finglish_best_reading(latin, persian):
    assert transliterate(latin)[0] == persian


def test_finglish_keeps_likely_alternatives():
    assert "اکرام" in word_candidates("ekram")      # f2p's second reading, kept for the search
    best, others = transliterate("ekram aytam")
    assert "ایتام" in (best.split() + list(others))


# --- synonyms and vocabulary ---------------------------------------------------------------

def test_synonym_and_vocabulary_files_parse():
    assert len(parse_synonyms()) > 30
    assert len(parse_vocabulary()) > 20


@pytest.mark.parametrize("query, expected", [
    ("تمدید پاسپورت", "گذرنامه"),
    ("تمدید گذرنامه", "پاسپورت"),
    ("پاسپورتم گم شد", "گذرنامه"),          # by stem
    ("تمدید لایسنس", "گواهینامه"),
    ("گواهی نامه", "لایسنس"),
    ("ویزا", "روادید"),
    ("آبفا", "آب و فاضلاب"),
    ("تامین درخواست بازنشستگی", "تامین اجتماعی"),
    ("خرجی", "نفقه"),
])
def test_synonyms_expand(query, expected):
    synonyms, related = expand(normalize(query))
    assert expected in synonyms + tuple(words for words, _n in related)


def test_one_way_rules_do_not_expand_backwards():
    synonyms, _ = expand(normalize("ثبت نام مسکن ملی"))
    assert "اسم" not in synonyms               # «اسم => نام» is one way


@pytest.mark.parametrize("query, expected_word", [
    (f"بچه{ZWNJ}دار شدم", "ولادت"),
    (f"بچه{ZWNJ}دار نمیشیم", "فرزندخواندگی"),
    ("ماشین قراضه دارم", "اسقاط"),
    ("پاسپورتم تو سفر گم شد", "عبور"),
])
def test_life_event_vocabulary(query, expected_word):
    _, related = expand(normalize(query))
    assert any(expected_word in words.split() for words, _n in related)


def test_vocabulary_specific_needs_weigh_more():
    _, related = expand(normalize("پاسپورتم تو سفر گم شد"))
    weight = dict(related)
    assert weight["برگ عبور بازگشت به ایران"] > weight["المثنی مفقودی"]


# --- query building (pure) -----------------------------------------------------------------

def test_query_forms():
    forms = QueryForms.of("گواهينامه‌مو پلیس گرفته")
    assert forms.normalized == "گواهینامه مو پلیس گرفته"
    assert "مو" not in forms.content and "گواهینامه" in forms.content
    assert not forms.fuzzy                     # every word is known: no typo tolerance needed
    assert QueryForms.of("پیگیری گذرنامع").fuzzy == ("گذرنامع",)
    finglish = QueryForms.of("tamdid gozarname")
    assert finglish.normalized == "تمدید گذرنامه" and "tamdid gozarname" in finglish.alternatives


def test_best_bets_keep_their_order():
    query = text_query("پاسپورت", {"پاسپورت": ("svc-1020", "svc-1021", "svc-1093")})
    pinned = [c["constant_score"] for c in query["bool"]["should"] if "constant_score" in c]
    assert [p["filter"]["ids"]["values"] for p in pinned] == [["svc-1020"], ["svc-1021"], ["svc-1093"]]
    boosts = [p["boost"] for p in pinned]
    assert boosts == sorted(boosts, reverse=True) and boosts[-1] >= BEST_BET_BOOST
    assert boosts[0] - boosts[1] >= BEST_BET_BOOST   # more than any text score can bridge


# --- word-by-word normalization (the indexer's cache) -------------------------------------------

def test_word_by_word_normalization_equals_hazm_on_whole_texts():
    """`normalize` works word by word through a cache; on every text of the shipped catalog that
    gives exactly what hazm + fold give on the whole text."""
    import json

    from analyzers.normalize import _hazm, fold
    from indexer.config import ROOT

    texts = []
    for path in sorted((ROOT / "data").glob("part-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts += [record["title"], record["description"], *record["aliases"], *record["steps"],
                      *record["documents"]]
    assert len(texts) > 3000
    differ = [t for t in texts if normalize(t) != fold(_hazm().normalize(t))]
    assert not differ, differ[:3]


def test_words_repeat_so_the_word_cache_hits():
    from analyzers.normalize import normalize_word

    normalize_word.cache_clear()
    normalize("ارائه مدارک و درخواست صدور کارت")
    normalize("درخواست صدور کارت و ارائه مدارک")
    info = normalize_word.cache_info()
    assert info.misses == 6 and info.hits == 6
