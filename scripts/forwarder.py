"""The benchmark's floor: an app with no search logic, on the app's stack, in front of Elasticsearch.

`POST /_msearch` takes an msearch body as the app would build it, sends it to PANJEREH_INDEX with the
app's client (indexer.client: same settings, node class, pool, timeouts and orjson), and answers Elasticsearch's
answer, parsed and encoded again as the app's JSON responses are. Uvicorn, Starlette, the official
async client and a JSON round trip, nothing else: what any Python app in front of Elasticsearch pays on
this machine. `scripts/bench.py --floor` measures it between Elasticsearch alone and the app, so a gap
between the app and Elasticsearch reads as the part any such app pays plus the part search adds.

    uvicorn scripts.forwarder:create_app --factory
"""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from indexer.client import make_async_client
from search_app.config import Settings
from search_app.responses import JSONResponse


async def msearch(request: Request) -> Response:
    state = request.app.state
    answer = await state.es.msearch(index=state.index, body=await request.body())
    return JSONResponse(answer.body)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})   # up, with its client open (scripts/appserver.py waits for it)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        es = make_async_client(settings.es)
        # as the app reads: its search budget (search_app/app.py)
        app.state.es = es.options(request_timeout=settings.search_timeout, max_retries=settings.search_retries)
        app.state.index = settings.es.alias
        try:
            yield
        finally:
            await es.close()

    routes = [Route("/_msearch", msearch, methods=["POST"]), Route("/healthz", healthz)]
    return Starlette(routes=routes, lifespan=lifespan)
