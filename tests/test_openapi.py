"""GET /api/openapi.json describes every API route, with the enums and bounds the code enforces."""
from __future__ import annotations

import re

from starlette.routing import Route

from search_app.facets import FACETS
from search_app.feedback import MAX_COMMENT
from search_app.params import MAX_QUERY, MAX_SIZE

DOCUMENTED = {"/api/search", "/api/services/{service_id}", "/api/suggest", "/healthz", "/metrics",
              "/services/{service_id}/feedback", "/api/openapi.json"}


def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    return response.json()


def test_it_is_openapi_3_1_and_lists_the_api_routes(client):
    doc = spec(client)
    assert doc["openapi"].startswith("3.1") and doc["info"]["title"]
    assert DOCUMENTED <= set(doc["paths"])


def test_every_json_or_form_route_of_the_app_is_described(client):
    doc = spec(client)
    for route in client.app.routes:
        if not isinstance(route, Route):
            continue
        is_api = route.path.startswith("/api/") or route.path in {"/healthz", "/metrics"}
        is_form = route.methods == {"POST"}
        if is_api or is_form:
            assert route.path in doc["paths"], f"{route.path} is not in /api/openapi.json"
            methods = {m.lower() for m in route.methods or set()} - {"head"}
            assert methods <= set(doc["paths"][route.path]), route.path


def test_search_parameters_carry_types_bounds_and_enums(client):
    doc = spec(client)
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert params["q"]["schema"]["maxLength"] == MAX_QUERY
    assert params["size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_SIZE, "default": 10}
    taxonomy = client.app.state.catalog.taxonomy
    for facet in FACETS:
        items = params[facet.param]["schema"]["items"]
        assert items["type"] == "string"
        expected = taxonomy.organizations if facet.vocabulary == "organizations" else taxonomy.labels[facet.vocabulary]
        assert set(items["enum"]) == set(expected)
    assert len(params["organization"]["schema"]["items"]["enum"]) == 50


def test_the_documented_enums_are_accepted_and_others_rejected(client):
    doc = spec(client)
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    for name in ("topic", "delivery"):
        value = params[name]["schema"]["items"]["enum"][0]
        assert client.get("/api/search", params={name: value}).status_code == 200
        assert client.get("/api/search", params={name: "not-a-" + name}).status_code == 400


def test_feedback_post_is_described_as_a_form(client):
    post = spec(client)["paths"]["/services/{service_id}/feedback"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/x-www-form-urlencoded"}
    assert {"303", "404", "413", "415", "422", "429"} <= set(post["responses"])
    feedback = spec(client)["components"]["schemas"]["Feedback"]
    assert feedback["properties"]["comment"]["maxLength"] == MAX_COMMENT
    assert feedback["properties"]["useful"]["enum"] == ["no", "yes"]


def test_every_reference_resolves(client):
    doc = spec(client)
    text = str(doc)
    for ref in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert ref in doc["components"]["schemas"], ref


def test_the_service_id_pattern_matches_real_ids(client):
    pattern = spec(client)["paths"]["/api/services/{service_id}"]["get"]["parameters"][0]["schema"]["pattern"]
    hit = client.get("/api/search", params={"q": "گذرنامه", "size": 1}).json()["results"][0]
    assert re.fullmatch(pattern, hit["id"])
