"""Feedback: a form post that works without JavaScript, stored in <alias>-feedback (no IP), bounded,
rate-limited, with clear errors; the index is created on first use with the mapping from mappings/."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from elasticsearch import Elasticsearch
from starlette.testclient import TestClient

from indexer.client import make_async_client
from indexer.config import ESSettings
from search_app.app import create_app
from search_app.config import Settings
from search_app.feedback import MAX_COMMENT, FeedbackError, parse_form, validate
from search_app.ratelimit import RateLimiter
from search_app.sideindex import ensure_index, mapping
from tests.conftest import delete_test_indexes, run_async, unique_alias

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def fb_client(indexed: ESSettings) -> Iterator[TestClient]:
    settings = Settings(es=indexed, query_log=False, feedback_per_minute=1000)
    with TestClient(create_app(settings)) as client:
        yield client


def feedback_docs(es: Elasticsearch, alias: str, service_id: str) -> list[dict]:
    index = f"{alias}-feedback"
    es.indices.refresh(index=index)
    hits = es.search(index=index, query={"term": {"service_id": service_id}}, size=100)["hits"]["hits"]
    return [h["_source"] for h in hits]


def test_feedback_is_stored_and_redirects_back_with_thanks(fb_client, es, indexed):
    before = len(feedback_docs(es, indexed.alias, "svc-1002")) if es.indices.exists(
        index=f"{indexed.alias}-feedback") else 0
    response = fb_client.post("/services/svc-1002/feedback", data={"useful": "no", "comment": "  مراحل ناقص است  "},
                              follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/services/svc-1002?feedback=thanks#feedback"
    page = fb_client.get(response.headers["location"])
    assert page.context["feedback_thanks"] is True and "سپاسگزاریم" in page.text
    docs = feedback_docs(es, indexed.alias, "svc-1002")
    assert len(docs) == before + 1
    doc = docs[-1] if len(docs) == 1 else next(d for d in docs if d.get("comment") == "مراحل ناقص است")
    assert doc["useful"] is False and doc["comment"] == "مراحل ناقص است"
    assert set(doc) == {"service_id", "organization", "useful", "comment", "timestamp"}   # no IP, ever
    assert doc["organization"] == fb_client.get("/services/svc-1002").context["service"]["organization_slug"]


def test_feedback_index_has_the_mapping_from_the_json_file(fb_client, es, indexed):
    fb_client.post("/services/svc-1003/feedback", data={"useful": "yes"}, follow_redirects=False)
    index = f"{indexed.alias}-feedback"
    got = es.indices.get_mapping(index=index)[index]["mappings"]
    want = mapping("feedback")
    assert got["dynamic"] == "strict" and got["properties"] == want["properties"]


def test_ensure_index_is_idempotent_and_survives_the_race(es, es_settings):
    name = unique_alias("race") + "-feedback"

    async def race() -> list[bool]:
        client = make_async_client(es_settings)
        try:
            return list(await asyncio.gather(*(ensure_index(client, name, "feedback") for _ in range(4))))
        finally:
            await client.close()

    try:
        created = run_async(race)
        assert created.count(True) == 1 and es.indices.exists(index=name)
        assert run_async(race) == [False] * 4
    finally:
        if es.indices.exists(index=name):
            delete_test_indexes(es, name)


@pytest.mark.parametrize("data, field", [
    ({}, "useful"),
    ({"useful": "maybe"}, "useful"),
    ({"useful": "yes", "comment": "x" * (MAX_COMMENT + 1)}, "comment"),
    ({"useful": "yes", "email": "a@b.c"}, "email"),
])
def test_bad_input_is_422_and_says_what_is_wrong(fb_client, data, field):
    response = fb_client.post("/services/svc-1004/feedback", content=urlencode(data), headers=FORM,
                              follow_redirects=False)
    assert response.status_code == 422
    assert response.template.name == "service.html"
    assert field in response.context["feedback_errors"]
    assert 'role="alert"' in response.text


def test_a_comment_of_exactly_the_limit_is_accepted(fb_client):
    response = fb_client.post("/services/svc-1004/feedback", data={"useful": "yes", "comment": "خ" * MAX_COMMENT},
                              follow_redirects=False)
    assert response.status_code == 303


def test_non_form_content_types_are_rejected_clearly(fb_client):
    response = fb_client.post("/services/svc-1004/feedback", content=json.dumps({"useful": "yes"}),
                              headers={"content-type": "application/json"})
    assert response.status_code == 415
    assert fb_client.post("/services/svc-1004/feedback", content=b"useful=yes").status_code == 415  # no type
    assert "application/x-www-form-urlencoded" in response.context["detail"]
    multipart = fb_client.post("/services/svc-1004/feedback", files={"useful": ("a.txt", b"yes")})
    assert multipart.status_code == 415


def test_oversized_body_is_413(fb_client):
    response = fb_client.post("/services/svc-1004/feedback", content=b"useful=yes&comment=" + b"x" * 9000,
                              headers=FORM)
    assert response.status_code == 413

    def chunks():                                     # no content-length: the stream is cut short
        for _ in range(10):
            yield b"x" * 1000

    streamed = fb_client.post("/services/svc-1004/feedback", content=chunks(), headers=FORM)
    assert streamed.status_code == 413


def test_unknown_service_is_404(fb_client):
    response = fb_client.post("/services/svc-999999/feedback", data={"useful": "yes"})
    assert response.status_code == 404


def test_get_on_the_feedback_url_is_405(fb_client):
    assert fb_client.get("/services/svc-1004/feedback").status_code == 405


def test_feedback_is_rate_limited_per_client(indexed):
    settings = Settings(es=indexed, query_log=False, feedback_per_minute=2)
    with TestClient(create_app(settings)) as client:
        codes = [client.post("/services/svc-1005/feedback", data={"useful": "yes"}, follow_redirects=False).status_code
                 for _ in range(3)]
        assert codes == [303, 303, 429]
        limited = client.post("/services/svc-1005/feedback", data={"useful": "yes"})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert "لطفاً" in limited.text


def test_feedback_counts_in_the_league_table(fb_client, es, indexed):
    def row():
        rows = fb_client.get("/organizations").context["rows"]
        return next(r for r in rows if r.slug == "rahvar120")

    service = next(h for h in fb_client.get("/organizations/rahvar120").context["results"].hits)
    before = row()
    for useful in ("yes", "yes", "no"):
        assert fb_client.post(f"{service.url}/feedback", data={"useful": useful},
                              follow_redirects=False).status_code == 303
    es.indices.refresh(index=f"{indexed.alias}-feedback")
    after = row()
    assert (after.feedback_yes - before.feedback_yes, after.feedback_total - before.feedback_total) == (2, 3)
    assert after.score == after.feedback_yes / after.feedback_total


# pure parts

def test_parse_form_rejects_repeated_fields_and_non_utf8():
    with pytest.raises(FeedbackError) as err:
        parse_form(b"useful=yes&useful=no")
    assert "useful" in err.value.errors
    with pytest.raises(FeedbackError):
        parse_form(b"useful=\xff\xfe")


def test_validate_cleans_the_comment():
    fb = validate("svc-1", {"useful": "yes", "comment": "  خوب\x00 بود \n"})
    assert fb.useful is True and fb.comment == "خوب بود"


def test_token_bucket_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(per_minute=2, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    assert limiter.allow("b")                         # buckets are per client
    assert limiter.retry_after("a") == 30
    now[0] += 30
    assert limiter.allow("a") and not limiter.allow("a")


def test_token_bucket_memory_is_bounded():
    limiter = RateLimiter(per_minute=1, max_keys=3, clock=lambda: 0.0)
    for key in "abcde":
        limiter.allow(key)
    assert len(limiter._buckets) == 3
