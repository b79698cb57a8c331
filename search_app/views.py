"""HTML endpoints: parse -> search -> render. Nothing else happens here."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from search_app.params import parse


def render(request: Request, template: str, context: dict, status_code: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


async def search_page(request: Request) -> Response:
    state = request.app.state
    params = parse(request.query_params.multi_items(), state.catalog.taxonomy)
    results = None if params.is_empty else await state.searcher.search(params, path="/")
    return render(request, "search.html", {"params": params, "results": results,
                                           "taxonomy": state.catalog.taxonomy})


async def service_page(request: Request) -> Response:
    state = request.app.state
    service = await state.searcher.service(request.path_params["service_id"])
    if service is None:
        raise HTTPException(404, "no service with this id")
    return render(request, "service.html", {"service": service, "taxonomy": state.catalog.taxonomy})
