"""Markup in a query or in a record's text is shown as text, never run: a record carrying payloads is
indexed into its own test-xss-* alias (from a copy of data/), then searched and opened, through
TestClient and in headless Chromium."""
from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from indexer.config import ESSettings
from indexer.reindex import reindex
from search_app.app import create_app
from tests.browser.conftest import LiveServer, live_settings, shot
from tests.conftest import delete_test_indexes, unique_alias

XSS_ID = "svc-990001"
SCRIPT = "<script>window.__xss='title'</script>"
IMG = "<img src=x onerror=\"window.__xss='desc'\">"
SVG = "<svg onload=\"window.__xss='step'\">"
QUERY_PAYLOAD = "<img src=x onerror=\"window.__xss='query'\"> گواهی"


@pytest.fixture(scope="module")
def xss_settings(es, es_settings: ESSettings, tmp_path_factory) -> Iterator[ESSettings]:
    data = tmp_path_factory.mktemp("xss-data")
    for name in ("taxonomy.json", "organizations.json", "best_bets.json"):
        if (es_settings.data_dir / name).exists():
            shutil.copy(es_settings.data_dir / name, data / name)
    lines = (es_settings.data_dir / "part-1.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    record = json.loads(lines[0])
    record.update({
        "id": XSS_ID,
        "title": f"گواهی آزمایشی {SCRIPT}",
        "aliases": [f"نام دیگر {SVG}"],
        "description": f"شرح گواهی آزمایشی {IMG} برای آزمون امنیت.",
        "steps": [f"گام نخست {SVG}", "گام دوم <b onmouseover=\"window.__xss='b'\">پررنگ</b>"],
        "documents": [f"\"><script>window.__xss='doc'</script>"],
        "fee": f"رایگان {SCRIPT}",
    })
    (data / "part-1.jsonl").write_text("\n".join([*lines, json.dumps(record, ensure_ascii=False)]) + "\n",
                                       encoding="utf-8")
    settings = replace(es_settings, alias=unique_alias("xss"), data_dir=data)
    result = reindex(es, settings.alias, data)
    assert result.report.rejected == 0, [str(r) for r in result.report.rejections]
    yield settings
    delete_test_indexes(es, f"{settings.alias}*")


@pytest.fixture(scope="module")
def xss_client(xss_settings) -> Iterator[TestClient]:
    with TestClient(create_app(live_settings(xss_settings))) as client:
        yield client


def test_markup_in_a_record_is_escaped_on_every_page(xss_client):
    for path in (f"/services/{XSS_ID}", "/?q=" + quote("گواهی آزمایشی"), "/topics/identity"):
        html = xss_client.get(path).text
        for tag in ("<script>window", "<img src=x", "<svg onload", "<b onmouseover", "\"><script>"):
            assert tag not in html, (path, tag)     # every payload's "<" arrives as &lt;
    page = xss_client.get(f"/services/{XSS_ID}").text
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page


def test_markup_in_highlighted_snippets_is_escaped(xss_client):
    hits = xss_client.get("/api/search", params={"q": "شرح گواهی آزمایشی"}).json()["results"]
    hit = next(h for h in hits if h["id"] == XSS_ID)
    tags = set(re.findall(r"</?([a-zA-Z]+)", hit["snippet"]))
    assert tags <= {"mark"}, hit["snippet"]


def test_markup_in_the_query_is_escaped(xss_client):
    html = xss_client.get("/", params={"q": QUERY_PAYLOAD}).text
    assert "<img src=x" not in html and "&lt;img src=x" in html


@pytest.mark.browser
def test_payloads_are_shown_as_text_never_run(browser, xss_settings):
    with LiveServer(live_settings(xss_settings)) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            for path in ("/?q=" + quote(QUERY_PAYLOAD), "/?q=" + quote("شرح گواهی آزمایشی"), f"/services/{XSS_ID}"):
                page.goto(server.url + path)
                page.wait_for_load_state("load")
                assert page.evaluate("window.__xss") is None, path
                assert page.locator("img[src=x], svg[onload], b[onmouseover], iframe").count() == 0, path
                scripts = page.evaluate("[...document.scripts].map(s => s.getAttribute('src'))")
                assert scripts == ["/static/app.js"], path
            assert SCRIPT in page.locator("h1").inner_text()            # shown, as text
            assert IMG in page.locator(".description").inner_text()
            page.hover(".steps li >> nth=1")
            assert page.evaluate("window.__xss") is None
            shot(page, "xss-service")
            assert dialogs == []
        finally:
            context.close()
