"""400 / 404 / 503 / 500 handlers: JSON for /api and /healthz, Persian pages for HTML routes. No stack traces."""
from __future__ import annotations

import logging

from elasticsearch import ApiError, TransportError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from search_app.params import ParamError
from search_app.responses import JSONResponse
from search_app.security import HEADERS as SECURITY_HEADERS

log = logging.getLogger("panjereh")

MESSAGES_FA = {
    400: ("درخواست نامعتبر", "نشانی جست‌وجو درست نیست."),
    404: ("پیدا نشد", "صفحه یا خدمتی با این نشانی وجود ندارد."),
    405: ("روش نامجاز", "این نشانی با این روش درخواست پاسخ نمی‌دهد."),
    429: ("درخواست‌های زیاد", "لطفاً کمی بعد دوباره تلاش کنید."),
    500: ("خطای داخلی", "مشکلی پیش آمد. لطفاً دوباره تلاش کنید."),
    503: ("سامانه جست‌وجو در دسترس نیست", "موتور جست‌وجو موقتاً پاسخ نمی‌دهد. چند لحظه بعد دوباره تلاش کنید."),
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in {"/healthz", "/metrics"}


def error_response(request: Request, status: int, detail: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": detail}, status_code=status)
    title, message = MESSAGES_FA.get(status, MESSAGES_FA[500])
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html",
                                      {"status": status, "title": title, "message": message, "detail": detail},
                                      status_code=status)


async def param_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ParamError)
    return error_response(request, 400, str(exc))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request, exc.status_code, str(exc.detail))


async def search_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("Elasticsearch unavailable: %s", exc)
    request.app.state.metrics.es_errors.inc()
    response = error_response(request, 503, "search is unavailable: Elasticsearch did not answer")
    response.headers["Retry-After"] = "5"
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    response = error_response(request, 500, "internal error")
    # Starlette answers a 500 from its outermost middleware, outside SecurityHeadersMiddleware
    response.headers.update(SECURITY_HEADERS)
    return response


HANDLERS = {
    ParamError: param_error,
    HTTPException: http_error,
    TransportError: search_unavailable,
    ApiError: search_unavailable,
    500: server_error,
}
