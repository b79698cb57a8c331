"""HTML pages through the app over the whole catalog (test-* alias): home, browse, zero results,
service page, organizations league. Assertions are on status and template context."""
from __future__ import annotations

import json

import pytest

from indexer.client import make_async_client
from indexer.taxonomy import load_taxonomy

from search_app import browse
from search_app.facets import FACETS
from tests.conftest import run_async


def records():
    from indexer.config import ROOT
    for path in sorted((ROOT / "data").glob("part-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


CATALOG = list(records())
TRAFFIC_POLICE = "rahvar120"   # پلیس راهور فراجا, the organization with the most services (23)


def test_home_invites_searching_and_browsing(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.template.name == "search.html"
    assert response.context["results"] is None
    assert 'role="search"' in response.text
    assert 'href="/topics/identity"' in response.text and 'href="/organizations"' in response.text
    assert "/static/app.js" in response.text and "<script>" not in response.text  # CSP: no inline script


@pytest.mark.parametrize("kind, slug, field", [
    ("organizations", "police", "organization"),
    ("topics", "tax", "topics"),
    ("clusters", "birth-childhood", "clusters"),
])
def test_browse_pages_list_every_service_of_their_slug(client, kind, slug, field):
    response = client.get(f"/{kind}/{slug}")
    assert response.status_code == 200
    assert response.template.name == "browse.html"
    ctx = response.context
    results = ctx["results"]
    assert ctx["kind"] is browse.BROWSE[kind] and ctx["slug"] == slug
    param = browse.BROWSE[kind].param
    assert results.params.filters == {param: (slug,)} and results.params.q == ""
    expected = {r["id"] for r in CATALOG if (slug in r["topics"] if field == "topics" else
                                             slug in r["clusters"] if field == "clusters" else True)}
    if kind != "organizations":
        assert results.total == len(expected)
        assert {h.id for h in results.hits} <= expected
    assert 0 < len(results.hits) <= results.params.size
    for hit in results.hits:
        if kind == "organizations":
            assert hit.organization["slug"] == slug
        else:
            assert slug in getattr(hit, field)
    # the fixed filter shows as selected in its facet, with the right count
    facet = next(f for f in results.facets if f.param == param)
    assert [v.value for v in facet.selected] == [slug] and facet.selected[0].count == results.total


def test_browse_page_refines_with_more_filters_and_pages(client):
    whole = client.get("/topics/business-permits").context["results"]
    assert whole.total == 68 and len(whole.hits) == 50            # one long page when no size is given
    page2 = client.get("/topics/business-permits", params={"page": 2}).context["results"]
    assert len(page2.hits) == 18 and not {h.id for h in page2.hits} & {h.id for h in whole.hits}
    online = client.get("/topics/business-permits", params={"delivery": "online"}).context["results"]
    assert 0 < online.total < whole.total and all(h.delivery == "online" for h in online.hits)


@pytest.mark.parametrize("path", ["/organizations/nope", "/topics/nope", "/clusters/nope"])
def test_unknown_slug_is_a_persian_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.template.name == "error.html"
    assert response.context["title"] == "پیدا نشد"
    assert 'lang="fa"' in response.text


def test_browse_page_validates_its_parameters(client):
    assert client.get("/topics/tax", params={"page": "x"}).status_code == 400
    assert client.get("/topics/tax", params={"colour": "red"}).status_code == 400


def test_search_page_summarises_selected_filters_and_offers_clear_all(client):
    response = client.get("/", params={"q": "گذرنامه", "topic": "passport-travel", "delivery": "hybrid"})
    results = response.context["results"]
    assert results.clear_url == "/?q=%DA%AF%D8%B0%D8%B1%D9%86%D8%A7%D9%85%D9%87"
    selected = {(f.param, v.value) for f in results.facets for v in f.selected}
    assert selected == {("topic", "passport-travel"), ("delivery", "hybrid")}
    assert 'id="chosen-summary"' in response.text and "حذف همه فیلترها" in response.text


def test_selected_value_with_no_hits_is_still_listed(client):
    results = client.get("/", params={"topic": "tax", "cluster": "birth-childhood"}).context["results"]
    by = {f.param: {v.value: v for v in f.values} for f in results.facets}
    assert by["topic"]["tax"].selected and by["cluster"]["birth-childhood"].selected
    assert results.clear_url == "/"


GIBBERISH = "ژژژژ ثثثث"   # near no word of the catalog


def test_zero_results_say_so_and_offer_ways_forward(client):
    response = client.get("/", params={"q": GIBBERISH})
    assert response.status_code == 200
    ctx = response.context
    assert ctx["results"].total == 0 and ctx["results"].hits == []
    closest = ctx["closest"]
    assert closest.popular                    # nothing is near these words: the largest topics instead
    assert closest.topics and closest.organizations
    assert all(link.url.startswith("/topics/") and link.count > 0 for link in closest.topics)
    assert all(link.url.startswith("/organizations/") for link in closest.organizations)
    assert [link.count for link in closest.topics] == sorted((link.count for link in closest.topics), reverse=True)
    assert f"برای «{GIBBERISH}» خدمتی پیدا نشد" in response.text and 'href="/#browse"' in response.text


def test_zero_results_with_filters_only_still_offer_somewhere_to_go(client):
    response = client.get("/", params={"topic": "tax", "cluster": "birth-childhood"})
    ctx = response.context
    assert ctx["results"].total == 0 and ctx["closest"]
    assert ctx["results"].clear_url == "/" and "بدون فیلترها" in response.text


def test_closest_topics_and_organizations_are_near_the_words(indexed):
    taxonomy = load_taxonomy(indexed.data_dir)

    async def run():
        es = make_async_client(indexed)
        try:
            return await browse.closest(es, indexed.alias, "پاسپورت", taxonomy)
        finally:
            await es.close()

    closest = run_async(run)
    assert not closest.popular
    assert closest.topics[0].url == "/topics/passport-travel"
    assert "/organizations/police" in {link.url for link in closest.organizations}


def test_service_page_online_service_has_the_do_it_online_button(client):
    record = next(r for r in CATALOG if r["id"] == "svc-1001")
    response = client.get("/services/svc-1001")
    assert response.status_code == 200 and response.template.name == "service.html"
    assert response.context["service"]["id"] == "svc-1001"
    assert f'class="do-online" href="{record["service_url"]}"' in response.text
    assert "خدمت مصوب" in response.text
    for step in record["steps"]:
        assert step in response.text


def test_service_page_in_person_service_lays_out_the_steps(client):
    record = next(r for r in CATALOG if not r.get("service_url"))
    response = client.get(f"/services/{record['id']}")
    assert "do-online" not in response.text
    assert "مراحل انجام حضوری" in response.text
    for item in [record["fee"], record["duration"], *record["documents"]]:
        assert item in response.text


def test_related_services_share_a_cluster_and_exclude_the_service(client):
    response = client.get("/services/svc-1001")
    related = response.context["related"]
    assert 1 <= len(related) <= 5
    clusters = set(next(r for r in CATALOG if r["id"] == "svc-1001")["clusters"])
    assert all(r["id"] != "svc-1001" and clusters & set(r["clusters"]) for r in
               (next(c for c in CATALOG if c["id"] == x["id"]) for x in related))
    assert all(r["url"] == f"/services/{r['id']}" for r in related)


def test_unknown_service_is_404(client):
    assert client.get("/services/svc-999999").status_code == 404


def test_organizations_league_counts_every_service(client):
    response = client.get("/organizations")
    assert response.status_code == 200 and response.template.name == "organizations.html"
    rows = response.context["rows"]
    assert len(rows) == len({r["organization"] for r in CATALOG}) == 50
    assert sum(r.services for r in rows) == len(CATALOG)
    by_slug = {r.slug: r for r in rows}
    assert rows[0] is by_slug[TRAFFIC_POLICE] and rows[0].services == 23    # most services first
    for row in rows:
        assert sum(row.delivery.values()) == row.services
        assert abs(sum(row.share(d) for d in ("online", "hybrid", "offline")) - 1) < 1e-9
        assert row.url == f"/organizations/{row.slug}"
        assert row.feedback_total >= row.feedback_yes >= 0


def test_every_facet_is_rendered_on_a_result_page(client):
    results = client.get("/", params={"q": "گواهینامه"}).context["results"]
    assert [f.param for f in results.facets] == [s.param for s in FACETS]
