"""Query-string building: the per-page `Toggles` gives exactly what rebuilding the whole query
string with the value toggled gives (`toggle` below, the plain definition)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search_app.facets import FACETS
from search_app.params import SearchParams
from search_app.urls import Toggles, to_pairs, url


def toggle(path: str, params: SearchParams, param: str, value: str) -> str:
    """The same search with `value` added to or removed from facet `param`, back on page 1."""
    selected = params.selected(param)
    values = tuple(v for v in selected if v != value) if value in selected else (*selected, value)
    changed = SearchParams(q=params.q, filters={**params.filters, param: values}, page=1, size=params.size)
    return url(path, to_pairs(changed))


TEXT = st.text(alphabet=st.sampled_from("ab &=+%?#/ گذرنامه‌ی۱2"), max_size=12)
PARAMS = st.builds(
    SearchParams,
    q=TEXT,
    filters=st.fixed_dictionaries({spec.param: st.lists(TEXT, max_size=3, unique=True).map(tuple)
                                   for spec in FACETS}),
    page=st.integers(1, 5),
    size=st.sampled_from([10, 20]),
)


@settings(max_examples=300, deadline=None)
@given(params=PARAMS, facet=st.sampled_from([spec.param for spec in FACETS]), value=TEXT, pick=st.booleans())
def test_toggles_equal_toggle(params, facet, value, pick):
    if pick and params.selected(facet):
        value = params.selected(facet)[0]          # removing a selected value, too
    for path in ("/", "/topics/passport-travel"):
        assert Toggles(path, params).url(facet, value) == toggle(path, params, facet, value)


def test_toggling_adds_then_removes_and_returns_to_page_one():
    params = SearchParams(q="تمدید گذرنامه", filters={"topic": ("passport-travel",)}, page=3)
    toggles = Toggles("/", params)
    assert toggles.url("delivery", "online") == (
        "/?q=%D8%AA%D9%85%D8%AF%DB%8C%D8%AF+%DA%AF%D8%B0%D8%B1%D9%86%D8%A7%D9%85%D9%87"
        "&topic=passport-travel&delivery=online")
    assert toggles.url("topic", "passport-travel") == (
        "/?q=%D8%AA%D9%85%D8%AF%DB%8C%D8%AF+%DA%AF%D8%B0%D8%B1%D9%86%D8%A7%D9%85%D9%87")
    assert Toggles("/", SearchParams(filters={"topic": ("x",)})).url("topic", "x") == "/"
