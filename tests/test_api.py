"""End to end through the app over the whole catalog in a real Elasticsearch (test-* alias)."""
from __future__ import annotations

from dataclasses import replace

from starlette.testclient import TestClient

from indexer.config import ESSettings
from search_app.app import create_app
from search_app.config import Settings


def test_search_returns_ranked_results_with_the_documented_shape(client):
    body = client.get("/api/search", params={"q": "تمدید گذرنامه", "size": 5}).json()
    assert set(body) >= {"query", "total", "page", "size", "took_ms", "results", "facets"}
    assert body["query"] == "تمدید گذرنامه" and body["page"] == 1 and body["size"] == 5
    assert body["total"] >= 1 and len(body["results"]) == 5
    first = body["results"][0]
    assert first["id"] == "svc-1021"
    assert set(first) == {"id", "title", "organization", "topics", "clusters", "delivery",
                          "service_url", "url", "snippet"}
    assert first["organization"] == {"slug": "police", "name": "پلیس مهاجرت و گذرنامه فراجا"}
    assert first["url"] == "/services/svc-1021"
    assert "<mark>" in first["snippet"]
    assert set(body["facets"]) == {"organization", "topic", "cluster", "delivery", "audience"}


def test_arabic_letters_find_the_same_service(client):
    persian = client.get("/api/search", params={"q": "گواهینامه رانندگی"}).json()
    arabic = client.get("/api/search", params={"q": "گواهينامه رانندگي"}).json()
    assert persian["results"][0]["id"] == arabic["results"][0]["id"]


def facet(body, name):
    return {v["value"]: v for v in body["facets"][name]}


def test_empty_query_with_a_facet_browses(client):
    body = client.get("/api/search", params={"topic": "passport-travel", "size": 50}).json()
    assert body["total"] == len(body["results"]) > 0
    assert all("passport-travel" in r["topics"] for r in body["results"])
    assert facet(body, "topic")["passport-travel"]["selected"] is True


def test_multi_select_facet_counts_stay_correct(client):
    """Hits are narrowed by all facets; each facet's counts by all the *other* facets only."""
    everything = client.get("/api/search", params={"size": 1, "delivery": ["online", "hybrid", "offline"]}).json()
    assert everything["total"] == 425
    both = client.get("/api/search", params={"delivery": "online", "topic": "tax", "size": 50}).json()
    assert all(r["delivery"] == "online" and "tax" in r["topics"] for r in both["results"])
    # delivery counts ignore the delivery selection but respect the topic one
    only_topic = client.get("/api/search", params={"topic": "tax", "size": 50}).json()
    assert {k: v["count"] for k, v in facet(both, "delivery").items()} == \
           {k: v["count"] for k, v in facet(only_topic, "delivery").items()}
    assert facet(both, "delivery")["online"]["count"] == both["total"]
    # topic counts respect the delivery selection but not the topic one
    only_delivery = client.get("/api/search", params={"delivery": "online", "size": 1}).json()
    assert facet(both, "topic")["tax"]["count"] == both["total"]
    assert sum(v["count"] for v in facet(both, "topic").values()) >= only_delivery["total"]
    assert facet(both, "topic")["tax"]["selected"] and not facet(both, "topic").get("health", {}).get("selected")


def test_two_values_of_one_facet_are_ored(client):
    one = client.get("/api/search", params={"topic": "tax", "size": 1}).json()["total"]
    two = client.get("/api/search", params={"topic": "tax", "size": 1}).json()["total"]
    both = client.get("/api/search", params={"topic": ["tax", "health"], "size": 1}).json()["total"]
    assert both >= max(one, two)


def test_selected_value_with_no_hits_stays_visible(client):
    body = client.get("/api/search", params={"q": "گذرنامه", "organization": "tavanir"}).json()
    assert facet(body, "organization")["tavanir"]["selected"] is True


def test_pagination_pages_do_not_overlap(client):
    first = client.get("/api/search", params={"q": "ثبت", "size": 5, "page": 1}).json()
    second = client.get("/api/search", params={"q": "ثبت", "size": 5, "page": 2}).json()
    assert first["total"] > 10
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_service_api_returns_the_record_and_404_for_unknown(client):
    record = client.get("/api/services/svc-1001").json()
    assert record["id"] == "svc-1001" and record["steps"] and record["organization_slug"] == "sabteahval"
    missing = client.get("/api/services/svc-0000")
    assert missing.status_code == 404 and "svc-0000" in missing.json()["error"]


def test_bad_parameters_are_400_naming_the_parameter(client):
    for params, name in [({"size": "500"}, "size"), ({"page": "abc"}, "page"),
                         ({"topic": "nope"}, "topic"), ({"colour": "red"}, "colour")]:
        response = client.get("/api/search", params=params)
        assert response.status_code == 400
        assert response.json()["error"].startswith(f"{name}:")


def test_search_page_context(client):
    response = client.get("/", params={"q": "یارانه", "delivery": "online"})
    assert response.status_code == 200
    assert response.template.name == "search.html"
    results = response.context["results"]
    assert results.total > 0 and results.params.filters == {"delivery": ("online",)}
    delivery = next(f for f in results.facets if f.param == "delivery")
    online = next(v for v in delivery.values if v.value == "online")
    assert online.selected and "delivery=online" not in online.toggle_url
    other = next(v for f in results.facets if f.param == "organization" for v in f.values)
    assert f"organization={other.value}" in other.toggle_url and "delivery=online" in other.toggle_url
    assert '<html lang="fa" dir="rtl">' in response.text


def test_service_page_context_and_404(client):
    page = client.get("/services/svc-1001")
    assert page.status_code == 200 and page.context["service"]["id"] == "svc-1001"
    missing = client.get("/services/svc-0000")
    assert missing.status_code == 404 and missing.template.name == "error.html"


def test_bad_parameter_on_the_html_page_is_a_persian_400(client):
    response = client.get("/", params={"size": "x"})
    assert response.status_code == 400
    assert response.template.name == "error.html" and "size" in response.context["detail"]


def test_healthz_ok(client):
    assert client.get("/healthz").json()["status"] == "ok"


def test_elasticsearch_down_gives_503_never_a_stack_trace(app_settings):
    dead = replace(app_settings.es, url="http://127.0.0.1:1", request_timeout=1.0, max_retries=0)
    app = create_app(Settings(es=dead, query_log=False))
    with TestClient(app, raise_server_exceptions=False) as down:
        api = down.get("/api/search", params={"q": "گذرنامه"})
        assert api.status_code == 503 and "Elasticsearch" in api.json()["error"]
        page = down.get("/", params={"q": "گذرنامه"})
        assert page.status_code == 503 and page.template.name == "error.html"
        assert "Traceback" not in page.text
        assert down.get("/healthz").status_code == 503
        assert down.get("/services/svc-1001").status_code == 503


def test_missing_index_is_503_not_500(app_settings):
    missing = ESSettings(**{**app_settings.es.__dict__, "alias": "test-does-not-exist"})
    with TestClient(create_app(Settings(es=missing, query_log=False)), raise_server_exceptions=False) as c:
        assert c.get("/api/search", params={"q": "x"}).status_code == 503


def test_json_responses_are_utf8_and_survive_a_lone_surrogate():
    from search_app.responses import JSONResponse

    assert JSONResponse({"q": "گذرنامه"}).body == '{"q":"گذرنامه"}'.encode()
    assert JSONResponse({"q": "\ud800"}).body == b'{"q":"\xed\xa0\x80"}'   # the standard library's way
