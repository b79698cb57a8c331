"""JSON endpoints over the same search function as the HTML page."""
from __future__ import annotations

from elasticsearch import ApiError, TransportError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from search_app.params import parse
from search_app.responses import JSONResponse


async def search_api(request: Request) -> Response:
    state = request.app.state
    params = parse(request.query_params.multi_items(), state.catalog.taxonomy)
    results = await state.searcher.search(params, path="/")
    return JSONResponse(results.as_json())


async def service_api(request: Request) -> Response:
    service = await request.app.state.searcher.service(request.path_params["service_id"])
    if service is None:
        raise HTTPException(404, f"no service with id {request.path_params['service_id'][:40]!r}")
    return JSONResponse(service)


async def healthz(request: Request) -> Response:
    try:
        health = await request.app.state.es.options(request_timeout=2).cluster.health()
    except (TransportError, ApiError) as exc:
        return JSONResponse({"status": "unavailable", "error": f"Elasticsearch did not answer: {exc}"},
                            status_code=503)
    return JSONResponse({"status": "ok", "elasticsearch": health["status"]})
