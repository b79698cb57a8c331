"""HTML endpoints: parse -> search -> render. Query building lives in browse.py, league.py, feedback.py."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from search_app import browse, feedback, league
from search_app.params import parse

FEEDBACK_TYPE_FA = ("نوع درخواست پذیرفته نیست", "فرم نظر را از همین صفحه بفرستید.")
FEEDBACK_BIG_FA = ("درخواست بزرگ است", "متن نظر بیش از اندازه بلند است.")
FEEDBACK_RATE_FA = ("درخواست‌های زیاد", "نظرهای زیادی در مدت کوتاهی فرستاده‌اید. لطفاً یک دقیقه بعد دوباره تلاش کنید.")


def render(request: Request, template: str, context: dict, status_code: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def render_error(request: Request, status: int, title_message: tuple[str, str], detail: str,
                 headers: dict[str, str] | None = None) -> Response:
    title, message = title_message
    response = render(request, "error.html", {"status": status, "title": title, "message": message,
                                              "detail": detail}, status_code=status)
    response.headers.update(headers or {})
    return response


async def search_page(request: Request) -> Response:
    state = request.app.state
    params = parse(request.query_params.multi_items(), state.catalog.taxonomy)
    results = None if params.is_empty else await state.searcher.search(params, path="/")
    closest = None
    if results is not None and results.total == 0:
        closest = await browse.closest(state.es, state.settings.es.alias, params.q, state.catalog.taxonomy)
    return render(request, "search.html", {"params": params, "results": results, "closest": closest,
                                           "taxonomy": state.catalog.taxonomy})


async def browse_page(request: Request) -> Response:
    """/organizations/{slug}, /topics/{slug}, /clusters/{slug}: the search with that filter fixed."""
    state = request.app.state
    kind = browse.BROWSE[request.url.path.split("/")[1]]
    slug = request.path_params["slug"]
    if not browse.known(state.catalog.taxonomy, kind, slug):
        raise HTTPException(404, f"no {kind.param} {slug[:40]!r}")
    params = browse.browse_params(request.query_params.multi_items(), state.catalog.taxonomy, kind, slug)
    results = await state.searcher.search(params, path="/")
    return render(request, "browse.html", {"params": params, "results": results, "kind": kind, "slug": slug,
                                           "label": state.catalog.taxonomy.label(kind.vocabulary, slug),
                                           "taxonomy": state.catalog.taxonomy})


async def organizations_page(request: Request) -> Response:
    state = request.app.state
    rows = await league.league(state.es, state.settings.es.alias, state.feedback, state.catalog.taxonomy)
    return render(request, "organizations.html", {"rows": rows, "taxonomy": state.catalog.taxonomy})


async def _service(request: Request, service_id: str) -> dict:
    service = await request.app.state.searcher.service(service_id)
    if service is None:
        raise HTTPException(404, "no service with this id")
    return service


async def _service_context(request: Request, service: dict, **extra: object) -> dict:
    state = request.app.state
    related = await browse.related(state.es, state.settings.es.alias, service)
    return {"service": service, "related": related, "taxonomy": state.catalog.taxonomy,
            "feedback_thanks": request.query_params.get("feedback") == "thanks",
            "feedback_errors": {}, "feedback_form": {}, "max_comment": feedback.MAX_COMMENT, **extra}


async def service_page(request: Request) -> Response:
    service = await _service(request, request.path_params["service_id"])
    return render(request, "service.html", await _service_context(request, service))


async def feedback_post(request: Request) -> Response:
    """POST /services/{id}/feedback (a plain form): 303 back to the page, or 415/413/429/404/422."""
    state = request.app.state
    service_id = request.path_params["service_id"]
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != feedback.FORM_TYPE:
        return render_error(request, 415, FEEDBACK_TYPE_FA,
                            f"send the form as {feedback.FORM_TYPE}, not {content_type[:60] or 'nothing'}")
    client = request.client.host if request.client else "unknown"
    if not state.feedback_limiter.allow(client):
        retry = str(state.feedback_limiter.retry_after(client))
        return render_error(request, 429, FEEDBACK_RATE_FA, "too many feedback posts", {"Retry-After": retry})
    service = await _service(request, service_id)
    body = await feedback.read_body(request)
    if body is None:
        return render_error(request, 413, FEEDBACK_BIG_FA, f"at most {feedback.MAX_BODY} bytes")
    form: dict[str, str] = {}
    try:
        form = feedback.parse_form(body)
        answer = feedback.validate(service_id, form)
    except feedback.FeedbackError as exc:
        context = await _service_context(request, service, feedback_errors=exc.errors, feedback_form=form)
        return render(request, "service.html", context, status_code=422)
    await state.feedback.add(answer, organization=service["organization_slug"])
    return RedirectResponse(f"/services/{service_id}?feedback=thanks#feedback", status_code=303)
