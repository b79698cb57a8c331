"""The citizen's portal in a real headless Chromium against a real uvicorn server (test-* alias)."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

QUERY = "تمدید گذرنامه"


def api(server, **params):
    return httpx.get(f"{server.url}/api/search", params=params, timeout=10).json()


def dom_facets(page) -> dict[str, dict[str, dict]]:
    return page.evaluate("""() => {
      const out = {};
      for (const list of document.querySelectorAll('.facet-values')) {
        const param = list.id.replace(/^facet-/, '').replace(/-list$/, '');
        out[param] = {};
        for (const li of list.children) {
          const a = li.querySelector('a');
          out[param][a.dataset.value] = {count: parseInt(li.querySelector('.count').textContent, 10),
                                         selected: li.classList.contains('selected')};
        }
      }
      return out;
    }""")


def query_pairs(page) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(page.url).query)


def test_search_shows_ranked_results(page, live_server):
    page.goto(page.base + "/")
    shot(page, "home-desktop")
    page.fill("#q", QUERY)
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(re.compile(r"\?q="))
    hrefs = page.locator(".hit h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    expected = [r["url"] for r in api(live_server, q=QUERY)["results"]]
    assert hrefs == expected and hrefs[0] == "/services/svc-1021"
    assert page.locator("h1").inner_text().endswith(f"«{QUERY}»")
    assert page.locator(".hit mark").count() > 0                # highlighted matches
    total = api(live_server, q=QUERY)["total"]
    assert page.locator("#result-count").inner_text().startswith(f"{total} خدمت")
    shot(page, "search-desktop")


def test_two_facets_in_different_groups_keep_counts_right(page, live_server):
    page.goto(page.base + "/?q=" + "گذرنامه")
    page.click('#facet-topic-list a[data-value="passport-travel"]')
    page.wait_for_url(re.compile(r"topic=passport-travel"))
    delivery = next(v for v, d in dom_facets(page)["delivery"].items() if not d["selected"] and d["count"] > 0)
    page.click(f'#facet-delivery-list a[data-value="{delivery}"]')
    page.wait_for_url(re.compile(r"delivery="))
    pairs = query_pairs(page)
    assert ("topic", "passport-travel") in pairs and ("delivery", delivery) in pairs
    facets = dom_facets(page)
    body = api(live_server, q="گذرنامه", topic="passport-travel", delivery=delivery)
    for param, values in body["facets"].items():
        assert {v["value"]: v["count"] for v in values} == {k: d["count"] for k, d in facets[param].items()}, param
    assert facets["topic"]["passport-travel"]["selected"] and facets["delivery"][delivery]["selected"]
    # multi-select: each selected value's count is the number of hits shown
    assert facets["topic"]["passport-travel"]["count"] == facets["delivery"][delivery]["count"] == body["total"]
    assert page.locator(".hit").count() == min(body["total"], 10)
    summary = page.locator("#chosen-summary").inner_text()
    assert "گذرنامه و سفر" in summary
    shot(page, "search-two-facets")
    page.click(".chosen-list a.clear-all")
    page.wait_for_url(re.compile(r"^[^&]*$"))
    assert query_pairs(page) == [("q", "گذرنامه")]


def test_paging_through_results(page, live_server):
    page.goto(page.base + "/?topic=business-permits")
    first = page.locator(".hit h3 a").all_inner_texts()
    page.click(".pager a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    assert page.locator("ol.hits").get_attribute("start") == "11"
    second = page.locator(".hit h3 a").all_inner_texts()
    assert len(second) == 10 and not set(first) & set(second)
    page.click(".pager a[rel=prev]")
    page.wait_for_url(re.compile(r"topic=business-permits$"))
    assert page.locator(".hit h3 a").all_inner_texts() == first


def test_open_a_service_and_send_feedback(page, live_server, es, indexed):
    page.goto(page.base + "/?q=" + QUERY)
    title = page.locator(".hit h3 a").first.inner_text()
    page.locator(".hit h3 a").first.click()
    page.wait_for_url(re.compile(r"/services/svc-\d+$"))
    service_id = page.url.rsplit("/", 1)[1]
    assert page.locator("h1").inner_text() == title
    assert page.locator(".badge.approved").is_visible()
    assert page.locator(".do-online").is_visible()
    assert 1 <= page.locator(".related li").count() <= 5
    shot(page, "service")
    index = f"{indexed.alias}-feedback"
    count = lambda: es.count(index=index, query={"term": {"service_id": service_id}})["count"] \
        if es.indices.exists(index=index) else 0  # noqa: E731
    before = count()
    page.check("input[name=useful][value=yes]")
    page.fill("#comment", "راهنمای خوبی بود")
    assert "نویسه باقی مانده" in page.locator(".comment-count").inner_text()     # the JS counter
    page.click(".feedback-form button[type=submit]")
    page.wait_for_url(re.compile(r"feedback=thanks"))
    assert page.locator(".thanks").is_visible()
    shot(page, "feedback-thanks")
    es.indices.refresh(index=index)
    assert count() == before + 1


def test_zero_results_page(page, live_server):
    page.goto(page.base + "/")
    page.fill("#q", "ژژژژ ثثثث")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"\?q="))
    assert page.locator(".hit").count() == 0
    assert "خدمتی پیدا نشد" in page.locator(".zero h2").inner_text()
    assert page.locator(".closest-topics a").count() > 0
    assert page.locator("a.browse-link").is_visible()
    shot(page, "zero-results")
    label = page.locator(".closest-topics a").first.inner_text().rsplit(" ", 1)[0]
    page.locator(".closest-topics a").first.click()
    page.wait_for_url(re.compile(r"/topics/"))
    assert label in page.locator("h1").inner_text()
    assert page.locator(".hit").count() > 0
    shot(page, "browse-topic")


def test_keyboard_only_search(page, live_server):
    page.goto(page.base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"   # first stop: skip to content
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "q":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("گواهینامه رانندگی")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q="))
    assert page.locator(".hit").count() > 0
    # results come before the facets in focus order
    for _ in range(30):
        if page.evaluate("document.activeElement.closest('.hit h3') !== null"):
            break
        assert page.evaluate("document.activeElement.closest('.facets') === null")
        page.keyboard.press("Tab")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert href and href.startswith("/services/")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    assert page.locator("h1").is_visible()


def test_long_facet_lists_filter_by_typing_and_keep_selected_values(page, live_server):
    page.goto(page.base + "/?delivery=online")
    facet_filter = page.locator("#facet-organization-filter")
    assert facet_filter.is_visible()                              # revealed by app.js
    first = page.locator("#facet-organization-list li a").first
    chosen = first.get_attribute("data-value")
    first.click()
    page.wait_for_url(re.compile(r"organization="))
    facet_filter = page.locator("#facet-organization-filter")
    total_items = page.locator("#facet-organization-list li").count()
    facet_filter.fill("بانک")
    visible = page.locator("#facet-organization-list li:not([hidden])")
    labels = visible.locator(".label").all_inner_texts()
    assert 1 <= len(labels) < total_items
    selected_label = page.locator("#facet-organization-list li.selected .label").inner_text()
    assert selected_label in labels                                 # selected values never vanish
    assert all("بانک" in label or label == selected_label for label in labels)
    facet_filter.fill("ماليات")                                     # Arabic ی still matches
    assert any("مالیات" in t for t in page.locator("#facet-organization-list li:not([hidden]) .label").all_inner_texts())
    facet_filter.press("Escape")
    assert page.locator("#facet-organization-list li:not([hidden])").count() == total_items
    assert ("organization", chosen) in query_pairs(page)


@pytest.mark.parametrize("path, name", [
    ("/", "home-360"), ("/?q=" + QUERY, "search-360"), ("/?q=ژژژژ ثثثث", "zero-360"),
    ("/services/svc-1021", "service-360"), ("/organizations", "organizations-360"),
    ("/topics/business-permits", None), ("/organizations/rahvar120", None), ("/topics/nope", None),
])
def test_pages_fit_a_360px_phone(browser, live_server, path, name):
    context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.locator("#q").count() == 0 or page.locator("#q").bounding_box()["width"] >= 150
        if name:
            shot(page, name)
    finally:
        context.close()


def test_organizations_league_in_the_browser(page, live_server):
    page.goto(page.base + "/organizations")
    rows = page.locator("table.league tbody tr")
    assert rows.count() == 50
    assert page.locator("table.league caption").is_visible()
    shot(page, "organizations")
    rows.first.locator("th a").click()
    page.wait_for_url(re.compile(r"/organizations/[a-z0-9-]+$"))
    assert page.locator(".hit").count() > 0


def test_everything_works_without_javascript(browser, live_server, es, indexed):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1024, "height": 800})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/?q=" + "گواهی")
        assert page.locator("#facet-organization-filter").is_hidden()   # the JS-only box stays hidden
        page.locator("#facet-delivery-list a").first.click()
        page.wait_for_url(re.compile(r"delivery="))
        assert page.locator(".facet-values li.selected").count() == 1
        page.locator(".hit h3 a").first.click()
        page.wait_for_url(re.compile(r"/services/"))
        page.check("input[name=useful][value=no]")
        page.click(".feedback-form button[type=submit]")
        page.wait_for_url(re.compile(r"feedback=thanks"))
        assert page.locator(".thanks").is_visible()
    finally:
        context.close()


def test_security_headers_and_fonts_reach_the_browser(page, live_server):
    response = page.goto(page.base + "/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('Vazirmatn') or family.startswith('"Vazirmatn"')
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "fa"
