import unicodedata
from pathlib import Path

import pytest

from indexer.taxonomy import load_taxonomy
from search_app.params import MAX_QUERY, ParamError, clean_text, parse

TAXONOMY = load_taxonomy(Path(__file__).resolve().parent.parent / "data")


def p(*pairs):
    return parse(list(pairs), TAXONOMY)


def test_defaults():
    params = p()
    assert (params.q, params.page, params.size, params.filters) == ("", 1, 10, {})
    assert params.is_empty


def test_repeated_filters_are_kept_in_order_without_duplicates():
    params = p(("q", "  گذرنامه  "), ("topic", "identity"), ("topic", "tax"), ("topic", "identity"),
               ("delivery", "online"))
    assert params.q == "گذرنامه"
    assert params.filters == {"topic": ("identity", "tax"), "delivery": ("online",)}
    assert not params.is_empty


@pytest.mark.parametrize("pairs, param, fragment", [
    ((("size", "0"),), "size", "out of range"),
    ((("size", "51"),), "size", "out of range"),
    ((("size", "ten"),), "size", "whole number"),
    ((("page", "-1"),), "page", "whole number"),
    ((("page", "60"), ("size", "50")), "page", "within 1000"),
    ((("q", "a"), ("q", "b")), "q", "more than once"),
    ((("q", "x" * (MAX_QUERY + 1)),), "q", "at most"),
    ((("topic", "no-such-topic"),), "topic", "unknown value"),
    ((("organization", "nowhere"),), "organization", "unknown value"),
    ((("sort", "price"),), "sort", "unknown parameter"),
])
def test_bad_parameters_name_the_parameter(pairs, param, fragment):
    with pytest.raises(ParamError) as info:
        p(*pairs)
    assert info.value.param == param
    assert fragment in str(info.value)


def test_control_characters_are_dropped():
    assert p(("q", "ثبت\x00 نام\x1b")).q == "ثبت نام"


def test_exactly_unicodes_control_characters_are_dropped():
    """CONTROL is Unicode's category Cc (tab and newline fold into spaces); ZWNJ, tatweel, bidi marks stay."""
    every = "".join(chr(i) for i in range(0x10000) if not chr(i).isspace() and not 0xD800 <= i <= 0xDFFF)
    kept = "".join(ch for ch in every if unicodedata.category(ch) != "Cc")
    assert clean_text(every) == kept
    assert clean_text("a\tb\nc\u200cd\u200f") == "a b c\u200cd\u200f"


def test_persian_digits_in_page_are_rejected_clearly():
    with pytest.raises(ParamError, match="page"):
        p(("page", "۲"))
