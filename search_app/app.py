"""create_app(settings): routes, middleware, error handlers; the Elasticsearch client lives in the lifespan."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from indexer.client import make_async_client
from search_app import api, openapi, relevance, suggest, views
from search_app.catalog import load_catalog
from search_app.config import Settings
from search_app.errors import HANDLERS
from search_app.feedback import FeedbackStore
from search_app.metrics import Metrics, MetricsMiddleware, metrics_endpoint
from search_app.querylog import LoggedSearcher, QueryLog
from search_app.ratelimit import RateLimiter
from search_app.search import Searcher
from search_app.security import SecurityHeadersMiddleware

HERE = Path(__file__).resolve().parent


def make_templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    return Jinja2Templates(env=env)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        catalog = load_catalog(settings.es.data_dir)
        await asyncio.to_thread(relevance.warm)
        es = make_async_client(settings.es)
        # What a citizen waits on gets a budget of its own: a hung node costs at most
        # search_timeout x (1 + search_retries), not ES_TIMEOUT x (1 + ES_MAX_RETRIES).
        reads = es.options(request_timeout=settings.search_timeout, max_retries=settings.search_retries)
        app.state.catalog = catalog
        app.state.es = reads
        app.state.searcher = Searcher(reads, settings.es.alias, catalog.taxonomy, catalog.best_bets,
                                      metrics.search_latency, settings.exact_limit)
        app.state.feedback = FeedbackStore(es, settings.es.alias)   # its index is created on first use
        querylog = None
        if settings.query_log:
            querylog = QueryLog(es, settings.es.alias, settings.query_log_flush_seconds, settings.query_log_queue)
            app.state.searcher = LoggedSearcher(app.state.searcher, querylog)
            querylog.start()
        app.state.querylog = querylog
        try:
            yield
        finally:
            if querylog is not None:
                await querylog.stop()
            await es.close()

    routes = [   # tried in order, on each request and again for its metrics label: the busiest first
        Route("/api/search", api.search_api, name="api_search"),
        Route("/", views.search_page, name="search"),
        Route("/services/{service_id}", views.service_page, name="service"),
        Route("/api/services/{service_id}", api.service_api, name="api_service"),
        Route("/api/suggest", suggest.suggest_api, name="api_suggest"),
        Route("/healthz", api.healthz, name="healthz"),
        Route("/metrics", metrics_endpoint, name="metrics"),
        Route("/api/openapi.json", openapi.openapi_json, name="api_openapi"),
        Route("/organizations", views.organizations_page, name="organizations"),
        Route("/organizations/{slug}", views.browse_page, name="browse_organization"),
        Route("/topics/{slug}", views.browse_page, name="browse_topic"),
        Route("/clusters/{slug}", views.browse_page, name="browse_cluster"),
        Route("/services/{service_id}/feedback", views.feedback_post, methods=["POST"], name="feedback"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        debug=settings.debug,
        routes=routes,
        middleware=[Middleware(SecurityHeadersMiddleware), Middleware(MetricsMiddleware, metrics=metrics)],
        exception_handlers=HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.templates = make_templates()
    app.state.feedback_limiter = RateLimiter(settings.feedback_per_minute)
    return app
