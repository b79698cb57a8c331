"""Property-based fuzzing of the search parameters and the app: no 5xx, and every 4xx says what was wrong.

Two layers, to keep the run short:
- 10,000 generated requests through the parameter parser (pure, fast): any exception other than
  ParamError would be a 500 in the app (test_query_bounds builds request bodies from such parameters);
- a few hundred generated requests end to end, through the app (Starlette TestClient) over the test
  alias in a real Elasticsearch, on the JSON API and the HTML page, plus hand-picked malformed URLs.
"""
from __future__ import annotations

import string
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.taxonomy import load_taxonomy
from search_app.facets import BY_PARAM
from search_app.params import ParamError, parse

DATA = Path(__file__).resolve().parent.parent / "data"
TAXONOMY = load_taxonomy(DATA)
KNOWN = ["q", "page", "size", *BY_PARAM]
VOCAB = sorted({*TAXONOMY.organizations, *(s for v in TAXONOMY.labels.values() for s in v)})

PERSIAN = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءئؤي ك ة ۀ ٔ ً ٌ ٍ َ ُ ِ ّ ْ ـ ۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
WEIRD = "\u200c\u200d\u200e\u200f\u202a\u202e\ufeff\u00a0\x00\x01\x1b\x7f\t\n\r\\\"'<>&%*?~^:/()[]{}"
# Surrogates cannot be sent in a URL; everything else can.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
MIXED = st.text(alphabet=st.sampled_from(PERSIAN + WEIRD + string.ascii_letters + string.digits), max_size=120)
NUMBERS = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.text(alphabet="0123456789", min_size=1, max_size=50),
    st.integers(4000, 6000).map(lambda n: "9" * n),   # past Python's int() digit limit (4300)
    st.sampled_from(["", " 1", "1 ", "+1", "-0", "1e3", "1.5", "0x10", "۱۲", "١", "٣٠", "NaN", "inf", "²"]),
)
CHUNKS = st.sampled_from(["گ", "a", "%", " ", "\u200c", "x y "])
HUGE = st.builds(lambda chunk, n: chunk * n, CHUNKS, st.integers(100, 20_000))
# through the app the URL must stay under httpx's 64 KiB limit once percent-encoded
HUGE_URL = st.builds(lambda chunk, n: chunk * n, CHUNKS, st.integers(100, 1_200))
VALUE = st.one_of(TEXT, MIXED, NUMBERS, HUGE, st.sampled_from(VOCAB))
URL_VALUE = st.one_of(TEXT, MIXED, NUMBERS, HUGE_URL, st.sampled_from(VOCAB))
KEY = st.one_of(st.sampled_from(KNOWN), st.sampled_from(KNOWN).map(str.upper), TEXT)
PAIRS = st.lists(st.tuples(KEY, VALUE), max_size=12)
URL_PAIRS = st.lists(st.tuples(KEY, URL_VALUE), max_size=8)
# Mostly known keys, so that many requests get past the parser and reach Elasticsearch
LIKELY_PAIRS = st.lists(st.tuples(st.sampled_from(KNOWN), st.one_of(MIXED, NUMBERS, st.sampled_from(VOCAB))),
                        max_size=6)


def check_param_error(exc: ParamError, pairs: list[tuple[str, str]]) -> None:
    message = str(exc)
    assert message.startswith(f"{exc.param}: "), message
    if not exc.param:  # a parameter with an empty name (`?=x`): reported as unknown, allowed ones listed
        assert "unknown parameter" in message, message
    assert len(message) > len(exc.param) + 5, f"no explanation: {message!r}"
    assert len(message) < 500, "an error message must not echo huge input back"
    keys = {k[:40] for k, _ in pairs}
    assert exc.param in keys, f"the error names {exc.param!r}, which was not sent ({sorted(keys)[:5]})"


@settings(max_examples=10_000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(PAIRS)
def test_10k_generated_parameter_sets_parse_or_say_what_is_wrong(pairs):
    try:
        params = parse(pairs, TAXONOMY)
    except ParamError as exc:
        check_param_error(exc, pairs)
        return
    # accepted: bounded (test_query_bounds checks the request bodies built from such parameters)
    assert len(params.q) <= 200 and 1 <= params.size <= 50 and params.page * params.size <= 1000
    assert all(len(v) <= 20 for v in params.filters.values())


@pytest.mark.parametrize("name", ["page", "size"])
def test_numbers_with_thousands_of_digits_are_a_parameter_error(name):
    # int() refuses more than 4300 digits with a ValueError, which would be a 500
    with pytest.raises(ParamError) as failure:
        parse([(name, "9" * 5000)], TAXONOMY)
    assert failure.value.param == name
    assert len(str(failure.value)) < 200


# --------------------------------------------------------------------------- end to end

def assert_sane(response, path: str) -> None:
    status = response.status_code
    assert status < 500, f"{status} for {path[:300]!r}: {response.text[:300]}"
    if path.startswith("/api/"):
        body = response.json()
        if status >= 400:
            assert isinstance(body.get("error"), str) and len(body["error"]) > 5, body
            assert len(body["error"]) < 500
    elif status >= 400:
        assert response.headers["content-type"].startswith("text/html")
        assert "درخواست نامعتبر" in response.text or "پیدا نشد" in response.text


def encode(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(st.one_of(URL_PAIRS, LIKELY_PAIRS, LIKELY_PAIRS), st.sampled_from(["/api/search", "/"]))
def test_generated_requests_through_the_app_never_fail(client, pairs, route):
    path = f"{route}?{encode(pairs)}"
    assert_sane(client.get(path), path)


MALFORMED = [
    "/api/search?q=%FF%FE%FD",                 # not UTF-8
    "/api/search?q=%E0%A4",                    # truncated UTF-8
    "/api/search?q=%",                         # broken percent-encoding
    "/api/search?q=%zz%%%",
    "/api/search?q=a&q=b",                     # repeated single-valued parameter
    "/api/search?page=1&page=2",
    "/api/search?q",                           # no '='
    "/api/search?=x",                          # empty key
    "/api/search?&&&&",
    "/api/search?q=" + "گ" * 5000,
    "/api/search?q=" + "%20" * 20_000 + "x",
    "/api/search?size=-1",
    "/api/search?page=" + "9" * 5000,
    "/api/search?size=1e2",
    "/api/search?page=۳",
    "/api/search?page=0",
    "/api/search?page=1001&size=1",
    "/api/search?topic=" + "&topic=".join(sorted(TAXONOMY.labels["topics"]) * 3),
    "/api/search?" + "&".join(f"x{i}=1" for i in range(500)),
    "/api/search?q=%00%01%1b",
    "/api/search?q=%E2%80%AE%E2%80%8C",          # RLO + ZWNJ
    "/api/search?organization=..%2F..%2Fetc%2Fpasswd",
    "/api/search?delivery=online%00",
    "/api/services/%FF",
    "/api/services/" + "x" * 5000,
    "/services/%00",
    "/?q=%FF%FE",
    "/?page=-5",
    "/?" + "topic=x&" * 100,
]


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p[:60])
def test_malformed_urls_get_a_4xx_or_a_result_never_a_5xx(client, path):
    assert_sane(client.get(path), path)
