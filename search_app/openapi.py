"""GET /api/openapi.json: a hand-written OpenAPI 3.1 description of every JSON and form route.

Enums and bounds come from the same places the code validates against (facets, params, taxonomy,
feedback), so the document cannot drift from the values the app accepts.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from indexer.taxonomy import Taxonomy
from search_app import feedback
from search_app.facets import FACETS
from search_app.params import DEFAULT_SIZE, MAX_QUERY, MAX_RESULT_WINDOW, MAX_SIZE, MAX_VALUES
from search_app.responses import JSONResponse

SERVICE_ID = {"type": "string", "pattern": r"^svc-\d{1,12}$", "example": "svc-1021"}
ERROR = {"description": "what is wrong", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _vocabulary(taxonomy: Taxonomy, name: str) -> list[str]:
    return sorted(taxonomy.organizations) if name == "organizations" else list(taxonomy.labels[name])


def _search_parameters(taxonomy: Taxonomy) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": "q", "in": "query", "description": "the citizen's words (Persian or Finglish); empty with "
         "filters to browse", "schema": {"type": "string", "maxLength": MAX_QUERY}},
        {"name": "page", "in": "query", "description": f"1-based; page × size ≤ {MAX_RESULT_WINDOW}",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_RESULT_WINDOW, "default": 1}},
        {"name": "size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE,
                                                   "default": DEFAULT_SIZE}},
    ]
    for spec in FACETS:
        params.append({
            "name": spec.param, "in": "query", "style": "form", "explode": True,
            "description": f"{spec.heading}: repeat to select several values (OR within a facet, AND "
                           f"across facets); at most {MAX_VALUES}",
            "schema": {"type": "array", "maxItems": MAX_VALUES,
                       "items": {"type": "string", "enum": _vocabulary(taxonomy, spec.vocabulary)}},
        })
    return params


def _schemas() -> dict[str, Any]:
    facet_value = {"type": "object", "required": ["value", "label", "count", "selected"], "properties": {
        "value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
        "selected": {"type": "boolean"}}}
    hit = {"type": "object", "properties": {
        "id": SERVICE_ID, "title": {"type": "string"},
        "organization": {"type": "object", "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
        "topics": {"type": "array", "items": {"type": "string"}},
        "clusters": {"type": "array", "items": {"type": "string"}},
        "delivery": {"type": "string", "enum": ["online", "hybrid", "offline"]},
        "service_url": {"type": ["string", "null"], "format": "uri"},
        "url": {"type": "string"}, "snippet": {"type": "string", "description": "HTML-escaped, <mark> around matches"}}}
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
        "FacetValue": facet_value,
        "Hit": hit,
        "SearchResults": {"type": "object", "required": ["query", "total", "total_exact", "facet_counts_exact", "page",
                                                         "size", "took_ms", "results", "facets"],
                          "properties": {
                              "query": {"type": "string"}, "total": {"type": "integer", "minimum": 0},
                              "total_exact": {"type": "boolean", "description":
                                              "false: at least `total` services match (counting stopped "
                                              "at FACET_EXACT_LIMIT)"},
                              "facet_counts_exact": {"type": "boolean", "description":
                                                     "false: the facet counts are lower bounds, those of the "
                                                     "first FACET_EXACT_LIMIT matching services"},
                              "page": {"type": "integer"}, "size": {"type": "integer"},
                              "took_ms": {"type": "integer"},
                              "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                              "facets": {"type": "object", "properties": {
                                  spec.param: {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}
                                  for spec in FACETS}},
                              "suggestion": {"type": ["string", "null"], "description": "did you mean"}}},
        "Service": {"type": "object", "description": "the catalog record as written (data/SCHEMA.md) plus "
                    "organization_slug", "properties": {
                        "id": SERVICE_ID, "title": {"type": "string"}, "organization": {"type": "string"},
                        "organization_slug": {"type": "string"}, "delivery": {"type": "string"},
                        "service_url": {"type": ["string", "null"]},
                        "steps": {"type": "array", "items": {"type": "string"}},
                        "documents": {"type": "array", "items": {"type": "string"}},
                        "fee": {"type": "string"}, "duration": {"type": "string"}}},
        "Suggestions": {"type": "object", "required": ["query", "suggestions"], "properties": {
            "query": {"type": "string"},
            "suggestions": {"type": "array", "items": {"type": "object", "required": ["id", "title"], "properties": {
                "id": SERVICE_ID, "title": {"type": "string"}}}}}},
        "Feedback": {"type": "object", "required": ["useful"], "properties": {
            "useful": {"type": "string", "enum": sorted(feedback.ANSWERS)},
            "comment": {"type": "string", "maxLength": feedback.MAX_COMMENT}}},
    }


def spec(taxonomy: Taxonomy) -> dict[str, Any]:
    json_ok = lambda ref, what: {"description": what, "content": {"application/json": {  # noqa: E731
        "schema": {"$ref": f"#/components/schemas/{ref}"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Panjereh API", "version": "1.0",
                 "description": "Search Iran's government services. Read-only JSON, plus the service-page "
                                "feedback form."},
        "paths": {
            "/api/search": {"get": {
                "summary": "search services (the same search as the HTML page)", "operationId": "search",
                "parameters": _search_parameters(taxonomy),
                "responses": {"200": json_ok("SearchResults", "ranked results with facet counts"),
                              "400": ERROR, "503": ERROR}}},
            "/api/services/{service_id}": {"get": {
                "summary": "one service's record", "operationId": "service",
                "parameters": [{"name": "service_id", "in": "path", "required": True, "schema": SERVICE_ID}],
                "responses": {"200": json_ok("Service", "the service"), "404": ERROR, "503": ERROR}}},
            "/api/suggest": {"get": {
                "summary": "completions for what is being typed in the search box (Persian, Arabic "
                           "letters or Finglish; typo-tolerant from 4 letters)", "operationId": "suggest",
                "parameters": [
                    {"name": "q", "in": "query", "required": True, "description": "the prefix typed so far",
                     "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY}}],
                "responses": {"200": {"description": "suggestions, best first (at most 8)",
                                      "content": {"application/json": {"schema": {
                                          "$ref": "#/components/schemas/Suggestions"}}}},
                              "400": ERROR, "503": ERROR}}},
            "/services/{service_id}/feedback": {"post": {
                "summary": "'was this page useful?' (an HTML form post; no JavaScript needed)",
                "operationId": "feedback",
                "parameters": [{"name": "service_id", "in": "path", "required": True, "schema": SERVICE_ID}],
                "requestBody": {"required": True, "content": {feedback.FORM_TYPE: {
                    "schema": {"$ref": "#/components/schemas/Feedback"}}}},
                "responses": {
                    "303": {"description": "stored; back to the service page with a thank-you",
                            "headers": {"Location": {"schema": {"type": "string"}}}},
                    "404": {"description": "no such service"},
                    "413": {"description": f"body over {feedback.MAX_BODY} bytes"},
                    "415": {"description": f"not {feedback.FORM_TYPE}"},
                    "422": {"description": "a field is missing or out of bounds (the page says which)"},
                    "429": {"description": "too many posts from this client; see Retry-After",
                            "headers": {"Retry-After": {"schema": {"type": "integer"}}}}}}},
            "/healthz": {"get": {
                "summary": "is Elasticsearch answering", "operationId": "healthz",
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"status": {"const": "ok"},
                                                     "elasticsearch": {"enum": ["green", "yellow", "red"]}}}}}},
                              "503": {"description": "Elasticsearch did not answer"}}}},
            "/metrics": {"get": {
                "summary": "Prometheus metrics", "operationId": "metrics",
                "responses": {"200": {"description": "text exposition format",
                                      "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
            "/api/openapi.json": {"get": {
                "summary": "this document", "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        },
        "components": {"schemas": _schemas()},
    }


async def openapi_json(request: Request) -> Response:
    return JSONResponse(spec(request.app.state.catalog.taxonomy))
